/**
 * The audit log command:
 *   npm run audit -- verify        walks the hash chain; names the first edited, deleted or reordered record (exit 1)
 *   npm run audit -- purge         deletes records older than AUDIT_RETENTION_DAYS (at least 180)
 * Reads DATABASE_URL, or the PGlite under DATA_DIR (stop the hub first: PGlite is single-process).
 */
import { purgeAuditLog, verifyAuditLog } from '../src/audit/log.js';
import { loadConfig } from '../src/config.js';
import { openDb } from '../src/db/db.js';
import { migrate } from '../src/db/migrations.js';

const [command] = process.argv.slice(2);
if (command !== 'verify' && command !== 'purge') {
  process.stderr.write('usage: npm run audit -- <verify|purge>\n');
  process.exit(2);
}
const config = loadConfig();
const db = await openDb(config.databaseUrl, config.dataDir);
try {
  await migrate(db);
  if (command === 'verify') {
    const r = await verifyAuditLog(db);
    if (r.firstBad) {
      process.stdout.write(`TAMPERED: record ${r.firstBad.seq}: ${r.firstBad.problem} (${r.records} records verified before it)\n`);
      process.exitCode = 1;
    } else process.stdout.write(`ok: ${r.records} records, chain intact; head ${r.head} (keep it elsewhere to detect a truncated tail)\n`);
  } else {
    process.stdout.write(`purged ${await purgeAuditLog(db, config.audit.retentionDays)} records older than ${config.audit.retentionDays} days\n`);
  }
} finally {
  await db.close();
}
