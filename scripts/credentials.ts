/**
 * Department credentials for remote adapters:
 *   npm run credentials -- issue <department> [days]   prints the credential once (store it safely)
 *   npm run credentials -- list [department]           id, department, issued, expires, state
 *   npm run credentials -- revoke <id>
 * Rotation: issue a new one, restart the department's adapter with it, revoke the old one.
 * Writes to DATABASE_URL, or to the PGlite under DATA_DIR (stop the hub first: PGlite is single-process).
 */
import { loadConfig } from '../src/config.js';
import { openDb } from '../src/db/db.js';
import { migrate } from '../src/db/migrations.js';
import { issueCredential, listCredentials, revokeCredential } from '../src/remote/credentials.js';

const [command, arg, days] = process.argv.slice(2);
if (command !== 'list' && (!arg || (command !== 'issue' && command !== 'revoke'))) {
  process.stderr.write('usage: npm run credentials -- issue <department> [days] | list [department] | revoke <id>\n');
  process.exit(2);
}
const config = loadConfig();
const db = await openDb(config.databaseUrl, config.dataDir);
try {
  await migrate(db);
  if (command === 'list') {
    const now = Date.now();
    const day = (d: Date) => d.toISOString().slice(0, 10);
    for (const c of await listCredentials(db, arg)) {
      const state = c.revokedAt ? `revoked ${day(c.revokedAt)}` : c.expiresAt.getTime() <= now ? 'expired' : 'active';
      process.stdout.write(`${c.id}  ${c.department}  issued ${day(c.createdAt)}  expires ${day(c.expiresAt)}  ${state}\n`);
    }
  } else if (command === 'issue') {
    const c = await issueCredential(db, arg, days ? Number(days) : 365);
    process.stdout.write(`credential for ${arg} (id ${c.id}, valid until ${c.expiresAt.toISOString().slice(0, 10)}); shown once:\n${c.token}\n`);
  } else {
    process.stdout.write((await revokeCredential(db, arg)) ? `revoked ${arg}\n` : `no active credential ${arg}\n`);
  }
} catch (err) {
  process.stderr.write(`credentials ${command} failed: ${(err as Error).message}\n`);
  process.exitCode = 1;
} finally {
  await db.close();
}
