/**
 * `npm run schema` writes schema/schema.graphql from the code; `npm run schema:check` (part of
 * `npm test`) fails when the committed file differs from what the code produces.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { hubSdl } from '../src/graphql/schema.js';

const file = fileURLToPath(new URL('../../schema/schema.graphql', import.meta.url));
const sdl = await hubSdl();
if (process.argv.includes('--check')) {
  const committed = await readFile(file, 'utf8').catch(() => '');
  if (committed !== sdl) {
    console.error('schema/schema.graphql is stale: run `npm run schema` and commit the result.');
    process.exit(1);
  }
  console.log('schema/schema.graphql is up to date');
} else {
  await writeFile(file, sdl);
  console.log(`wrote ${file}`);
}
