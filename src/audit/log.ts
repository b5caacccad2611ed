/**
 * The audit log: one append-only record per access to personal data — who (actor and role),
 * when, which resident (a keyed hash, never the ID number), which fields, the purpose, the
 * outcome — in PostgreSQL, each record chained to the one before by SHA-256, so that an edited,
 * deleted or reordered record breaks the chain (`npm run audit -- verify` finds the first).
 *
 * Records are group-committed: requests hand theirs to `append` and wait until the batch they are
 * in is committed — at once when no write is under way, else together with everything that
 * arrived meanwhile — so personal data never leaves unaudited and the chain costs one transaction
 * per batch, not per request. A transaction-level advisory lock keeps the chain one
 * line across replicas.
 *
 * When PostgreSQL is unreachable the records go to a local spool (src/audit/spool.ts) and the
 * answer leaves; the spool joins the chain first thing once the database answers again.
 */
import { createHash, createHmac } from 'node:crypto';
import { DatabaseUnavailableError, type Db, type Queryable } from '../db/db.js';
import { describeError, type Logger } from '../log.js';
import type { AuditSpool } from './spool.js';

export interface AuditRecord {
  at: Date;
  requestId: string;
  actor: string;
  role: string;
  operation: string;
  /** Keyed hash of the resident's ID number; null for an operation denied before any resident was known. */
  subjectHash: string | null;
  fields: string[];
  purpose: string;
  outcome: 'OK' | 'PARTIAL' | 'DENIED' | 'ERROR';
}

export const GENESIS = '0'.repeat(64);

/** The chained hash of a record: SHA-256 over the previous hash and the record's canonical form. */
export function chainHash(prev: string, r: AuditRecord): string {
  const canonical = JSON.stringify([r.at.toISOString(), r.requestId, r.actor, r.role, r.operation, r.subjectHash, [...r.fields].sort(), r.purpose, r.outcome]);
  return createHash('sha256').update(prev).update('\n').update(canonical).digest('hex');
}

export class AuditLog {
  private pending: { record: AuditRecord; done: (err?: unknown) => void }[] = [];
  private writing: Promise<void> | null = null;

  private retryTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly db: Db,
    private readonly secret: string,
    private readonly log: Logger,
    /** Where records wait while the database is unreachable; null = answers are withheld instead. */
    private readonly spool: AuditSpool | null = null,
  ) {
    if (spool?.waiting) this.scheduleSpoolDrain(0);
  }

  /** Keyed hash of an ID number for the audit trail (the same person gets the same hash). */
  subject(idNumber: string): string {
    return createHmac('sha256', this.secret).update(`audit|${idNumber}`).digest('base64url').slice(0, 32);
  }

  /** Resolves once the records are committed; rejects if they could not be (the caller must not answer). */
  append(records: AuditRecord[]): Promise<void> {
    if (records.length === 0) return Promise.resolve();
    const all = records.map((record) => new Promise<void>((resolve, reject) => this.pending.push({ record, done: (err) => (err ? reject(err) : resolve()) })));
    this.writing ??= this.drain();
    return Promise.all(all).then(() => undefined);
  }

  /** Writes batches until nothing is pending (what arrives during a write goes in the next). */
  private async drain(): Promise<void> {
    await new Promise((r) => setImmediate(r)); // let the requests of this tick join
    do await this.flush();
    while (this.pending.length);
    this.writing = null;
  }

  /** Records in the spool join the chain within `ms` even when no request comes. */
  private scheduleSpoolDrain(ms: number): void {
    if (this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.writing ??= this.drain();
    }, ms);
    this.retryTimer.unref();
  }

  /** Whether records are waiting in the local spool for the database. */
  get spooled(): boolean {
    return this.spool?.waiting ?? false;
  }

  /** PGlite has one writer (its data directory is locked to this process): the chain's head can live here. */
  private head: string | null = null;

  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    const records = batch.map((b) => b.record);
    try {
      if (this.spool?.waiting) await this.drainSpool();
      if (records.length) await this.write(records);
      for (const p of batch) p.done();
    } catch (err) {
      this.head = null; // re-read: the write may or may not have happened
      if (err instanceof DatabaseUnavailableError && this.spool) {
        this.scheduleSpoolDrain(2000);
        if (records.length === 0) return;
        try {
          if (!this.spool.waiting) this.log.warn('the database is unreachable: audit records go to the local spool until it is back', { file: this.spool.file });
          await this.spool.append(records);
          for (const p of batch) p.done();
          return;
        } catch (spoolErr) {
          this.log.error('audit records could not be spooled either', describeError(spoolErr));
        }
      }
      if (records.length) this.log.error('audit records could not be written', describeError(err));
      for (const p of batch) p.done(err);
    }
  }

  private async write(records: AuditRecord[]): Promise<void> {
    if (this.db.kind === 'pglite') {
      this.head ??= await lastHash(this.db);
      this.head = await insertChained(this.db, this.head, records);
    } else {
      // Replicas share the chain: one writer at a time, continuing from the stored head.
      await this.db.transaction(async (tx) => {
        await tx.query('select pg_advisory_xact_lock(72432)');
        await insertChained(tx, await lastHash(tx), records);
      });
    }
  }

  /**
   * Moves the spool into the chain. Records already there (a drain whose commit was acknowledged
   * too late to clear the spool) are skipped, so none is chained twice.
   */
  private async drainSpool(): Promise<void> {
    const records = await this.spool!.read();
    let joined = 0;
    for (let i = 0; i < records.length; i += 5000) {
      const part = records.slice(i, i + 5000);
      const times = part.map((r) => r.at.getTime());
      const { rows } = await this.db.query<{ request_id: string; subject_hash: string | null }>(
        'select request_id, subject_hash from audit_log where at between $1 and $2',
        [new Date(times.reduce((a, b) => Math.min(a, b))), new Date(times.reduce((a, b) => Math.max(a, b)))],
      );
      const chained = new Set(rows.map((r) => `${r.request_id}|${r.subject_hash}`));
      const fresh = part.filter((r) => !chained.has(`${r.requestId}|${r.subjectHash}`));
      if (fresh.length) await this.write(fresh);
      joined += fresh.length;
    }
    await this.spool!.clear();
    this.log.info('spooled audit records joined the chain', { records: joined });
  }

  async close(): Promise<void> {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    await this.writing;
  }
}

/** Inserts records chained after `prev`, in one statement (seq follows their order); returns the new head. */
async function insertChained(q: Queryable, prev: string, records: AuditRecord[]): Promise<string> {
  const rows = records.map((r) => {
    const hash = chainHash(prev, r);
    const row = { ...r, prev, hash };
    prev = hash;
    return row;
  });
  await q.query(
    `insert into audit_log (at, request_id, actor, role, operation, subject_hash, fields, purpose, outcome, prev_hash, hash)
     select at, request_id, actor, role, operation, subject_hash, string_to_array(fields, ','), purpose, outcome, prev_hash, hash
     from unnest($1::timestamptz[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[])
       with ordinality as t(at, request_id, actor, role, operation, subject_hash, fields, purpose, outcome, prev_hash, hash, n)
     order by n`,
    [
      rows.map((r) => r.at), rows.map((r) => r.requestId), rows.map((r) => r.actor), rows.map((r) => r.role), rows.map((r) => r.operation),
      rows.map((r) => r.subjectHash), rows.map((r) => r.fields.join(',')), rows.map((r) => r.purpose), rows.map((r) => r.outcome), rows.map((r) => r.prev), rows.map((r) => r.hash),
    ],
  );
  return prev;
}

async function lastHash(tx: Queryable): Promise<string> {
  const { rows } = await tx.query<{ hash: string }>('select hash from audit_log order by seq desc limit 1');
  return rows[0]?.hash ?? GENESIS;
}

export interface VerifyResult {
  records: number;
  /** The first record that breaks the chain, and how. */
  firstBad: { seq: number; problem: string } | null;
  /** The hash of the last record: anchor it elsewhere to detect truncation of the tail. */
  head: string;
}

/**
 * Walks the chain in order. An edited record no longer hashes to its stored hash; a deleted or
 * reordered one leaves a record whose prev_hash is not the hash before it. After a retention purge
 * the chain starts at the oldest record kept (its prev_hash is the anchor).
 */
export async function verifyAuditLog(db: Queryable, pageSize = 5000): Promise<VerifyResult> {
  let prev: string | null = null;
  let records = 0;
  let after = 0;
  for (;;) {
    const { rows } = await db.query<{ seq: number; at: Date; request_id: string; actor: string; role: string; operation: string; subject_hash: string | null; fields: string[]; purpose: string; outcome: AuditRecord['outcome']; prev_hash: string; hash: string }>(
      'select * from audit_log where seq > $1 order by seq limit $2',
      [after, pageSize],
    );
    for (const r of rows) {
      const seq = Number(r.seq);
      if (prev !== null && r.prev_hash !== prev) return { records, firstBad: { seq, problem: 'its prev_hash is not the hash of the record before it: a record was deleted, inserted or reordered here' }, head: prev };
      const expected = chainHash(r.prev_hash, { at: new Date(r.at), requestId: r.request_id, actor: r.actor, role: r.role, operation: r.operation, subjectHash: r.subject_hash, fields: r.fields, purpose: r.purpose, outcome: r.outcome });
      if (expected !== r.hash) return { records, firstBad: { seq, problem: 'its content does not match its hash: the record was edited' }, head: prev ?? r.prev_hash };
      prev = r.hash;
      records++;
      after = seq;
    }
    if (rows.length < pageSize) return { records, firstBad: null, head: prev ?? GENESIS };
  }
}

/** Deletes records older than `days` (never fewer than 180: 网络安全法 art. 21). */
export async function purgeAuditLog(db: Queryable, days: number): Promise<number> {
  if (!(days >= 180)) throw new Error('audit records are kept at least 180 days');
  return (await db.query('delete from audit_log where at < now() - ($1::int * interval \'1 day\')', [days])).rowCount;
}
