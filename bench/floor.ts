/**
 * The floor: Apollo Server answering the same query shapes from memory, over the same schema
 * (schema/schema.graphql) and the same kind of node:http server as the hub. Reads the answers to
 * serve from the JSON file given as the first argument; prints "floor listening on <url>".
 */
import http from 'node:http';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { ApolloServer, HeaderMap } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginInlineTraceDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { buildSchema } from 'graphql';

const answers = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as { resident: unknown; residents: unknown[] };
const sdl = readFileSync(new URL('../../schema/schema.graphql', import.meta.url), 'utf8');
const apollo = new ApolloServer({ schema: buildSchema(sdl, { assumeValidSDL: true }) /* the federation directives are not defined in plain graphql-js */, rootValue: { resident: () => answers.resident, residents: () => answers.residents, departments: () => [] }, plugins: [ApolloServerPluginLandingPageDisabled(), ApolloServerPluginCacheControlDisabled(), ApolloServerPluginInlineTraceDisabled()] }); // the hub's Apollo settings
await apollo.start();
const server = http.createServer(async (req, res) => {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const headers = new HeaderMap();
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers.set(k, v);
  const r = await apollo.executeHTTPGraphQLRequest({ httpGraphQLRequest: { method: req.method!, headers, search: '', body: JSON.parse(Buffer.concat(chunks).toString() || '{}') }, context: async () => ({}) });
  for (const [k, v] of r.headers) res.setHeader(k, v);
  res.statusCode = r.status ?? 200;
  res.end(r.body.kind === 'complete' ? r.body.string : '');
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`floor listening on http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql\n`));
process.on('SIGTERM', () => process.exit(0));
