/**
 * The audit log's local spool: when PostgreSQL is unreachable, a request's audit records are
 * appended here (one JSON line each, fsync'd before the answer leaves) instead of withholding
 * every answer; they join the hash chain, in order, as soon as the database is back. Records hold
 * what the database would: keyed hashes of residents, never an ID number. The file is bounded:
 * beyond `maxBytes` answers are withheld again (AUDIT_UNAVAILABLE).
 */
import { mkdirSync, statSync } from 'node:fs';
import { open, readFile, truncate } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { AuditRecord } from './log.js';

export class AuditSpool {
  private bytes: number;

  constructor(readonly file: string, private readonly maxBytes: number) {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    try {
      this.bytes = statSync(file).size;
    } catch {
      this.bytes = 0;
    }
  }

  /** Whether records are waiting to join the chain. */
  get waiting(): boolean {
    return this.bytes > 0;
  }

  /** Appends the records durably (written and fsync'd) or throws. */
  async append(records: readonly AuditRecord[]): Promise<void> {
    const text = records.map((r) => JSON.stringify({ ...r, at: r.at.toISOString() })).join('\n') + '\n';
    const size = Buffer.byteLength(text);
    if (this.bytes + size > this.maxBytes) throw new Error(`the audit spool is full (${this.maxBytes} bytes)`);
    const fd = await open(this.file, 'a', 0o600);
    try {
      await fd.write(text);
      await fd.datasync();
    } finally {
      await fd.close();
    }
    this.bytes += size;
  }

  /** The spooled records in the order they were written (a torn last line, from a crash mid-write, is dropped). */
  async read(): Promise<AuditRecord[]> {
    const text = await readFile(this.file, 'utf8').catch(() => '');
    const records: AuditRecord[] = [];
    for (const line of text.split('\n')) {
      if (!line) continue;
      try {
        const r = JSON.parse(line) as AuditRecord & { at: string };
        records.push({ ...r, at: new Date(r.at) });
      } catch {
        // the torn tail of a write the crash interrupted: its request was never answered
      }
    }
    return records;
  }

  async clear(): Promise<void> {
    await truncate(this.file, 0).catch(() => undefined);
    this.bytes = 0;
  }
}
