/**
 * The catalogue command:
 *   npm run catalogue -- validate <file.json|file.csv>
 *   npm run catalogue -- import <file.json|file.csv>
 * Every error names the row and the field; nothing is imported unless every row is valid, and an
 * import is one transaction. It writes to DATABASE_URL, or to the PGlite under DATA_DIR (stop the
 * hub first: PGlite is single-process). Running hubs pick the new catalogue up within a minute.
 */
import { readFile } from 'node:fs/promises';
import { CatalogueInvalidError, importCatalogue, parseCatalogueText } from '../src/cases/catalogue.js';
import { loadConfig } from '../src/config.js';
import { openDb } from '../src/db/db.js';
import { migrate } from '../src/db/migrations.js';

const [command, file] = process.argv.slice(2);
if (!file || (command !== 'import' && command !== 'validate')) {
  process.stderr.write('usage: npm run catalogue -- <validate|import> <file.json|file.csv>\n');
  process.exit(2);
}
try {
  const items = parseCatalogueText(await readFile(file, 'utf8'), file);
  const byMode = items.filter((i) => i.handlingMode === 'IMMEDIATE').length;
  process.stdout.write(`${file}: ${items.length} valid items (${byMode} IMMEDIATE, ${items.filter((i) => i.channels.includes('STATION')).length} open to stations)\n`);
  if (command === 'import') {
    const config = loadConfig();
    const db = await openDb(config.databaseUrl, config.dataDir);
    try {
      await migrate(db);
      const n = await importCatalogue(db, items);
      process.stdout.write(`imported ${n} items into ${db.kind === 'postgres' ? 'PostgreSQL' : `PGlite at ${config.dataDir}`}\n`);
    } finally {
      await db.close();
    }
  }
} catch (err) {
  if (err instanceof CatalogueInvalidError) {
    process.stderr.write(err.message + '\n');
    process.exit(1);
  }
  process.stderr.write(`catalogue ${command} failed: ${(err as Error).message}\n`);
  process.exit(1);
}
