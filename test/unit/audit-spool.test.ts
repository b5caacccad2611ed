import { appendFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { AuditLog, verifyAuditLog, type AuditRecord } from '../../src/audit/log.js';
import { AuditSpool } from '../../src/audit/spool.js';
import { DatabaseUnavailableError, PGliteDb, type Db } from '../../src/db/db.js';
import { migrate } from '../../src/db/migrations.js';
import { createLogger } from '../../src/log.js';

/** A ledger that can be made unreachable, as PostgreSQL is when the network drops (PGlite underneath). */
function breakable(db: Db): Db & { down: boolean } {
  const gate = <T>(f: () => Promise<T>) => (wrapper.down ? Promise.reject(new DatabaseUnavailableError('the database is unavailable')) : f());
  const wrapper = {
    down: false,
    kind: 'postgres' as const,
    query: (sql: string, params?: readonly unknown[]) => gate(() => db.query(sql, params)),
    exec: (sql: string) => gate(() => db.exec(sql)),
    transaction: <T>(fn: Parameters<Db['transaction']>[0]) => gate(() => db.transaction(fn as any)) as Promise<T>,
    close: () => db.close(),
  };
  return wrapper as any;
}

const base = Date.now();
const record = (n: number): AuditRecord => ({ at: new Date(base + n), requestId: `req-${n}`, actor: 'clerk', role: 'window_clerk', operation: 'query:resident', subjectHash: `s${n}`, fields: ['name'], purpose: 'test', outcome: 'OK' });
const files: string[] = [];
afterEach(() => files.splice(0).forEach((f) => rmSync(f, { force: true })));

describe('the audit spool', () => {
  it('takes the records while the database is away and chains them, in order and once, when it is back', async () => {
    const inner = await PGliteDb.open(null);
    await migrate(inner);
    const db = breakable(inner);
    const file = join(tmpdir(), `owh-spool-${randomUUID()}.jsonl`);
    files.push(file);
    const log = new AuditLog(db, 'k'.repeat(32), createLogger('error', () => undefined), new AuditSpool(file, 1_000_000));
    await log.append([record(1)]);
    db.down = true;
    await log.append([record(2), record(3)]); // answered: spooled, not withheld
    expect(log.spooled).toBe(true);
    // A crash mid-write leaves a torn line; its request was never answered, so it is dropped.
    appendFileSync(file, '{"at":"2026-');
    db.down = false;
    await log.append([record(4)]);
    expect(log.spooled).toBe(false);
    const { rows } = await inner.query<{ request_id: string }>('select request_id from audit_log order by seq');
    expect(rows.map((r) => r.request_id)).toEqual(['req-1', 'req-2', 'req-3', 'req-4']);
    expect((await verifyAuditLog(inner)).firstBad).toBeNull();

    // A drain whose commit was acknowledged too late to clear the spool is not chained twice.
    const again = new AuditSpool(file, 1_000_000);
    await again.append([record(3), record(5)]);
    const log2 = new AuditLog(db, 'k'.repeat(32), createLogger('error', () => undefined), again);
    await log2.append([record(6)]);
    const after = await inner.query<{ request_id: string }>('select request_id from audit_log order by seq');
    expect(after.rows.map((r) => r.request_id)).toEqual(['req-1', 'req-2', 'req-3', 'req-4', 'req-5', 'req-6']);
    expect((await verifyAuditLog(inner)).firstBad).toBeNull();
    await inner.close();
  }, 30_000);

  it('when the spool is full the answer is withheld (append rejects)', async () => {
    const inner = await PGliteDb.open(null);
    await migrate(inner);
    const db = breakable(inner);
    db.down = true;
    const file = join(tmpdir(), `owh-spool-${randomUUID()}.jsonl`);
    files.push(file);
    const log = new AuditLog(db, 'k'.repeat(32), createLogger('error', () => undefined), new AuditSpool(file, 300));
    await log.append([record(1)]);
    await expect(log.append([record(2), record(3)])).rejects.toBeInstanceOf(DatabaseUnavailableError);
    await log.close();
    await inner.close();
  }, 30_000);
});
