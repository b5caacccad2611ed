/**
 * The hub's HTTP routes: /healthz, the JWKS, the remote adapter protocol, and /graphql with what
 * comes before Apollo on every request (authentication, the unmasking grant, the rate limit).
 * The server's lifecycle (listening, draining, stopping) stays in server.ts.
 */
import { timingSafeEqual } from 'node:crypto';
import type http from 'node:http';
import { HeaderMap, type ApolloServer } from '@apollo/server';
import { MemoryStore, type CacheStore } from '../cache/store.js';
import type { HubConfig } from '../config.js';
import type { Registry } from '../departments/registry.js';
import { DATABASE_RETRY_AFTER_SECONDS, DatabaseUnavailableError, type Db } from '../db/db.js';
import { AuthError, type Authenticator } from '../auth/authenticate.js';
import { activeGrant } from '../auth/grants.js';
import type { Principal } from '../auth/principal.js';
import type { HubKeys } from '../remote/hub-keys.js';
import type { RemoteRegistry } from '../remote/registry-service.js';
import { buildContext, type Context } from '../graphql/context.js';
import type { Logger } from '../log.js';
import type { HubMetrics } from '../metrics.js';

const constantTimeEqual = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/** Largest request body accepted, in bytes. */
const MAX_BODY_BYTES = 1_000_000;

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, body === undefined ? {} : { 'content-type': 'application/json' });
  res.end(body === undefined ? undefined : JSON.stringify(body));
}

/** The request body as text; rejects beyond `limit` bytes. */
async function readBody(req: http.IncomingMessage, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new Error('too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export interface RouteDeps {
  config: HubConfig;
  registry: Registry;
  cache: CacheStore;
  db: Db;
  keys: HubKeys;
  remote: RemoteRegistry;
  authenticator: Authenticator;
  apollo: ApolloServer<Context>;
  contextOptions: Parameters<typeof buildContext>[0];
  log: Logger;
  /** Whether the hub is stopping (answers then close their connection). */
  draining: () => boolean;
  metrics: HubMetrics;
}

/** The request handler; it may throw (the server answers 500 and logs). */
export function createHandler({ config, registry, cache, db, keys, remote, authenticator, apollo, contextOptions, log, draining, metrics }: RouteDeps): (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void> {
  return async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://hub');
    if (url.pathname === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' });
      const memory = process.memoryUsage();
      res.end(JSON.stringify({
        status: 'UP',
        departments: Object.fromEntries(registry.all().map((g) => [g.code, g.status()])),
        // For operations (no personal data): where the process's memory is.
        memory: { rssMb: Math.round(memory.rss / 1048576), heapUsedMb: Math.round(memory.heapUsed / 1048576), externalMb: Math.round(memory.external / 1048576), cacheEntries: cache instanceof MemoryStore ? cache.size : null },
      }));
      return;
    }
    if (url.pathname === '/.well-known/jwks.json') {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=300' });
      res.end(JSON.stringify(keys.jwks()));
      return;
    }
    if (url.pathname.startsWith('/adapters/v1/')) {
      let body: unknown = null;
      if (req.method === 'POST') {
        const text = await readBody(req, 64_000).catch(() => null);
        if (text === null) return void sendJson(res, 413, { error: { code: 'INVALID_ARGUMENT', message: 'body too large' } });
        try {
          body = text ? JSON.parse(text) : null;
        } catch {
          return void sendJson(res, 422, { error: { code: 'INVALID_ARGUMENT', message: 'the body is not valid JSON' } });
        }
      }
      const answer = await remote.handle(req.method ?? 'GET', url.pathname, req.headers.authorization, body);
      return void sendJson(res, answer.status, answer.body);
    }
    if (url.pathname === '/metrics') {
      // For Prometheus on the private network; METRICS_TOKEN makes it ask for a bearer token.
      if (config.metricsToken && !constantTimeEqual(req.headers.authorization ?? '', `Bearer ${config.metricsToken}`)) {
        res.writeHead(401, { 'content-type': 'text/plain; charset=utf-8', 'www-authenticate': 'Bearer' });
        res.end('metrics need the bearer token set in METRICS_TOKEN\n');
        return;
      }
      const text = await metrics.text();
      res.writeHead(200, { 'content-type': metrics.registry.contentType });
      res.end(text);
      return;
    }
    if (url.pathname !== '/graphql') {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('One-Window Hub: the GraphQL endpoint is POST /graphql\n');
      return;
    }
    // Browser front-ends on another origin: only the origins in CORS_ORIGINS (none by default: same
    // origin only). Bearer tokens, no cookies, so no credentials mode.
    const origin = req.headers.origin;
    if (origin) {
      const allowed = config.corsOrigins.includes(origin);
      if (allowed) res.setHeader('access-control-allow-origin', origin);
      res.setHeader('vary', 'Origin');
      if (req.method === 'OPTIONS') {
        if (!allowed) return void sendJson(res, 403, { errors: [{ message: 'this origin is not allowed (CORS_ORIGINS)', extensions: { code: 'FORBIDDEN' } }] });
        res.writeHead(204, {
          'access-control-allow-methods': 'POST, GET, OPTIONS',
          'access-control-allow-headers': 'authorization, content-type, x-purpose, x-unmask-grant, x-request-id, apollo-require-preflight',
          'access-control-max-age': '600',
        });
        return void res.end();
      }
    }
    const started = performance.now();
    res.once('finish', () => metrics.request(res.statusCode, (performance.now() - started) / 1000));
    let principal: Principal;
    try {
      principal = await authenticator.authenticate(req.headers.authorization);
    } catch (err) {
      if (!(err instanceof AuthError)) throw err;
      log.info('request refused: not authenticated', { reason: err.message });
      res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer' });
      res.end(JSON.stringify({ errors: [{ message: 'authentication required: a valid bearer token', extensions: { code: 'UNAUTHENTICATED' } }] }));
      return;
    }
    const grantId = req.headers['x-unmask-grant'];
    if (typeof grantId === 'string' && grantId) {
      let grant: Awaited<ReturnType<typeof activeGrant>>;
      try {
        grant = await activeGrant(db, grantId.slice(0, 64), principal.subject);
      } catch (err) {
        if (!(err instanceof DatabaseUnavailableError)) throw err;
        res.setHeader('retry-after', String(DATABASE_RETRY_AFTER_SECONDS));
        return void sendJson(res, 503, { errors: [{ message: 'the unmasking grant cannot be checked just now (the case ledger is unavailable); try again shortly, or without the grant', extensions: { code: 'DATABASE_UNAVAILABLE' } }] });
      }
      if (!grant) return void sendJson(res, 403, { errors: [{ message: 'the unmasking grant is unknown, expired, revoked or not yours', extensions: { code: 'FORBIDDEN' } }] });
      principal = { ...principal, unmaskGrant: grant.id };
      log.info('unmasked access under a grant', { grant: grant.id, subject: principal.subject, role: principal.role });
    }
    // Per principal, per minute, shared by replicas through the store; a failing store lets requests through.
    const limit = await cache.incr(`${config.cache.keyPrefix}rl:${registry.keys.subject(`rl|${principal.subject}`)}`, 60_000).catch(() => null);
    if (limit && limit.count > config.auth.rateLimitPerMinute) {
      const retryAfter = Math.max(1, Math.ceil(limit.ttlMs / 1000));
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': String(retryAfter) });
      res.end(JSON.stringify({ errors: [{ message: `too many requests: at most ${config.auth.rateLimitPerMinute} a minute; retry after ${retryAfter} s`, extensions: { code: 'RATE_LIMITED' } }] }));
      return;
    }
    const headers = new HeaderMap();
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(', ') : v);
    let body: unknown = undefined;
    if (req.method === 'POST') {
      const text = await readBody(req, MAX_BODY_BYTES).catch(() => null);
      if (text === null) return void sendJson(res, 413, { errors: [{ message: `request body larger than ${MAX_BODY_BYTES} bytes`, extensions: { code: 'BAD_REQUEST' } }] });
      if (/^application\/json/i.test(req.headers['content-type'] ?? '')) {
        try {
          body = JSON.parse(text);
        } catch {
          return void sendJson(res, 400, { errors: [{ message: 'the request body is not valid JSON', extensions: { code: 'BAD_REQUEST' } }] });
        }
      } else body = text;
    }
    const response = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: req.method ?? 'GET', headers, search: url.search, body },
      context: async () => buildContext(contextOptions, headers, principal),
    });
    for (const [k, v] of response.headers) res.setHeader(k, v);
    if (draining()) res.setHeader('connection', 'close'); // the last answer on this connection
    res.statusCode = response.status ?? 200;
    if (response.body.kind === 'complete') res.end(response.body.string);
    else {
      for await (const part of response.body.asyncIterator) res.write(part);
      res.end();
    }
  };
}
