/**
 * Forwarding through the transactional outbox. A case's outbox row is written in the transaction
 * that accepts it; this worker claims due rows (FOR UPDATE SKIP LOCKED, so replicas share the
 * work), marks them SENT with a lease, calls the department with Idempotency-Key = case number,
 * and records the answer. A crash between the call and the record leaves a SENT row whose lease
 * expires: it is sent again with the same key, and the department answers with the same case —
 * never a second one. Failures back off exponentially with jitter; nothing is retried outside
 * this table.
 *
 * The same worker syncs status back: cases at a department are asked about in batches.
 */
import { randomUUID } from 'node:crypto';
import type { CallContext, ForwardedCase } from '../../adapters/contract.js';
import { DependencyUnavailableError } from '../../adapters/errors.js';
import { chunks } from '../../adapters/http.js';
import type { Db } from '../db/db.js';
import type { Registry } from '../departments/registry.js';
import { describeError, type Logger } from '../log.js';
import { closeForwarding, type CaseService } from './service.js';
import { TO_FORWARD } from './state.js';

export interface OutboxOptions {
  /** How often due rows are looked for, in milliseconds (0 = only when asked). */
  pollMs: number;
  /** How often statuses are asked of the departments, in milliseconds (0 = only when asked). */
  statusSyncMs: number;
  /** Open cases asked about per status round, the least recently asked first (so every one gets its turn). */
  statusSyncBatch: number;
  /** Rows claimed per round. */
  batch: number;
  /** How long a claimed row is ours before another worker may take it, in milliseconds. */
  leaseMs: number;
  /** Time budget of one department call, in milliseconds. */
  timeoutMs: number;
  /** First retry delay, in milliseconds; doubles per attempt (with ±20% jitter) up to maxBackoffMs. */
  baseBackoffMs: number;
  maxBackoffMs: number;
  /** Attempts after which a row is FAILED and left for an administrator. */
  maxAttempts: number;
}

export const DEFAULT_OUTBOX: OutboxOptions = { pollMs: 500, statusSyncMs: 2000, statusSyncBatch: 500, batch: 20, leaseMs: 30_000, timeoutMs: 5000, baseBackoffMs: 1000, maxBackoffMs: 300_000, maxAttempts: 30 };

const ACTOR = { operator: 'hub:outbox' };

interface Claimed {
  id: number;
  case_no: string;
  department: string;
  attempts: number;
}

export class OutboxWorker {
  private timers: NodeJS.Timeout[] = [];
  private running = new Set<Promise<unknown>>();
  private stopped = true;
  /** Aborted when a stop's grace runs out: calls in hand are cut short and their rows released. */
  private halt = new AbortController();

  constructor(
    private readonly db: Db,
    private readonly registry: Registry,
    private readonly cases: CaseService,
    private readonly options: OutboxOptions,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.stopped = false;
    if (this.halt.signal.aborted) this.halt = new AbortController();
    // A job that answers true had a full round: more may be due, so the next starts at once.
    const loop = (every: number, job: () => Promise<unknown>) => {
      if (every <= 0) return;
      const tick = () => {
        const p = job().catch((err) => this.log.warn('outbox round failed', describeError(err)));
        this.running.add(p);
        void p.then((more) => {
          this.running.delete(p);
          if (!this.stopped) this.timers.push(setTimeout(tick, more === true ? 0 : every));
        });
      };
      this.timers.push(setTimeout(tick, every));
    };
    loop(this.options.pollMs, async () => (await this.round()).claimed === this.options.batch);
    loop(this.options.statusSyncMs, async () => {
      await this.syncStatuses();
      await this.cases.returnOverdue(ACTOR);
    });
  }

  /**
   * Stops claiming and lets the rounds in hand finish — for `graceMs` at most: then their calls are
   * aborted and their rows released (PENDING, due now, the attempt not counted), so another replica
   * or the next start sends them at once, with the same idempotency key. A crash instead leaves
   * them to their leases.
   */
  async stop(graceMs = Infinity): Promise<{ released: boolean }> {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers = [];
    const all = Promise.allSettled([...this.running]);
    let timer: NodeJS.Timeout | undefined;
    const late = Number.isFinite(graceMs) && (await Promise.race([all.then(() => false), new Promise<boolean>((r) => (timer = setTimeout(() => r(true), graceMs)))]));
    clearTimeout(timer);
    if (late) {
      this.halt.abort();
      await all;
    }
    return { released: late };
  }

  /** One round: claims due rows and forwards them. Returns how many were acknowledged. */
  async forwardDue(): Promise<number> {
    return (await this.round()).acknowledged;
  }

  private async round(): Promise<{ claimed: number; acknowledged: number }> {
    const claimed = await this.claim(null);
    const results = await Promise.all(claimed.map((row) => this.forward(row, this.options.timeoutMs)));
    return { claimed: claimed.length, acknowledged: results.filter(Boolean).length };
  }

  /**
   * Forwards one case now, within `budgetMs` (instant items at the window). False when it could not
   * be done in time: the row stays in the outbox and the worker goes on trying.
   */
  async forwardNow(caseNo: string, budgetMs: number): Promise<boolean> {
    const [row] = await this.claim(caseNo);
    return row ? this.forward(row, budgetMs) : false;
  }

  private async claim(caseNo: string | null): Promise<Claimed[]> {
    const { rows } = await this.db.query<Claimed>(
      `with due as (
         select id from outbox
         where state in ('PENDING', 'SENT') and (locked_until is null or locked_until < now())
           and ${caseNo ? 'case_no = $3' : 'next_attempt_at <= now()'}
         order by id limit $1 for update skip locked)
       update outbox o set state = 'SENT', attempts = o.attempts + 1, locked_until = now() + ($2::int * interval '1 millisecond'), updated_at = now()
       from due where o.id = due.id
       returning o.id, o.case_no, o.department, o.attempts`,
      caseNo ? [1, this.options.leaseMs, caseNo] : [this.options.batch, this.options.leaseMs],
    );
    return rows;
  }

  private async forward(row: Claimed, budgetMs: number): Promise<boolean> {
    const gateway = this.registry.get(row.department);
    const desk = gateway?.adapter.cases;
    try {
      if (!desk) throw new Error(`no registered adapter of ${row.department} receives cases`);
      const payload = await this.payload(row.case_no);
      if (payload === null) return false; // withdrawn or returned meanwhile: not sent (the row says why)
      const answer = await desk.submit(payload, this.context(this.callSignal(budgetMs), row.case_no));
      await this.db.transaction(async (tx) => {
        const r = await tx.query(`update outbox set state = 'ACKNOWLEDGED', locked_until = null, last_error = null, updated_at = now() where id = $1 and state = 'SENT'`, [row.id]);
        if (r.rowCount === 1) await this.cases.applyDepartmentAnswer(tx, row.case_no, answer, ACTOR);
      });
      return true;
    } catch (err) {
      if (this.halt.signal.aborted) {
        // Stopping: hand the row back as it was, due now (the department may have the case already;
        // the same idempotency key makes the next send harmless).
        await this.db
          .query(`update outbox set state = 'PENDING', attempts = greatest(attempts - 1, 0), next_attempt_at = now(), locked_until = null, updated_at = now() where id = $1 and state = 'SENT'`, [row.id])
          .catch((e) => this.log.error('could not release a forwarding at stop; its lease will expire', describeError(e)));
        this.log.info('forwarding released at stop', { caseNo: row.case_no, department: row.department });
        return false;
      }
      const failed = row.attempts >= this.options.maxAttempts;
      const backoff = Math.min(this.options.maxBackoffMs, this.options.baseBackoffMs * 2 ** Math.min(row.attempts - 1, 20)) * (0.8 + Math.random() * 0.4);
      const reason = err instanceof Error && 'department' in err ? err.message : 'the department call failed';
      this.log.warn('forwarding failed', { caseNo: row.case_no, department: row.department, attempts: row.attempts, final: failed, ...describeError(err) });
      await this.db
        .query(`update outbox set state = $2, last_error = $3, next_attempt_at = now() + ($4::int * interval '1 millisecond'), locked_until = null, updated_at = now() where id = $1`, [row.id, failed ? 'FAILED' : 'PENDING', reason, Math.round(backoff)])
        .catch((e) => this.log.error('could not record a forwarding failure; the lease will expire and the case be sent again', describeError(e)));
      return false;
    }
  }

  /**
   * What the department receives — or null when the case is no longer to be forwarded (withdrawn
   * while a send was failing, returned for a 容缺 deadline while the department was away): its row
   * is then closed as FAILED with the reason, and nothing is sent.
   */
  private async payload(caseNo: string): Promise<ForwardedCase | null> {
    const c = await this.cases.get(caseNo);
    if (!c) throw new Error('the outbox names a case that does not exist');
    if (!TO_FORWARD.has(c.status)) {
      await closeForwarding(this.db, caseNo, 'SENT', `not forwarded: the case is ${c.status}`);
      this.log.info('forwarding dropped: the case is no longer to be forwarded', { caseNo, status: c.status });
      return null;
    }
    const [materials] = await this.cases.materials([caseNo]);
    return {
      caseNo,
      serviceItemCode: c.serviceItemCode,
      applicantIdNumber: c.applicantIdNumber,
      handlingMode: c.handlingMode,
      materials: materials!.map((m) => ({ code: m.code, reference: m.reference, form: m.form, provenance: m.provenance })),
      formData: c.formData,
    };
  }

  /**
   * Asks the departments about open cases and moves them along — `statusSyncBatch` a round, those
   * asked least recently first: a case that does not change must not keep the others from their
   * turn. Returns how many changed.
   */
  async syncStatuses(): Promise<number> {
    const { rows } = await this.db.query<{ case_no: string; department: string; department_ref: string; status: string }>(
      `select case_no, department, department_ref, status from cases where status in ('FORWARDED', 'IN_REVIEW', 'SUSPENDED') and department_ref is not null
       order by status_checked_at nulls first, updated_at limit $1`,
      [this.options.statusSyncBatch],
    );
    let changed = 0;
    const byDepartment = new Map<string, typeof rows>();
    for (const r of rows) byDepartment.set(r.department, [...(byDepartment.get(r.department) ?? []), r]);
    for (const [department, list] of byDepartment) {
      const desk = this.registry.get(department)?.adapter.cases;
      if (!desk) continue;
      for (const part of chunks(list, desk.statusBatchLimit)) {
        try {
          if (this.halt.signal.aborted) break;
          const answers = await desk.batchStatus(part.map((r) => r.department_ref), this.context(this.callSignal(this.options.timeoutMs), null));
          await this.db.query('update cases set status_checked_at = now() where case_no = any($1)', [part.map((r) => r.case_no)]);
          for (const [i, answer] of answers.entries()) {
            if (answer instanceof Error) continue;
            const before = part[i]!.status;
            const moved = await this.db.transaction(async (tx) => {
              await this.cases.applyDepartmentAnswer(tx, part[i]!.case_no, answer, ACTOR);
              return (await tx.query<{ status: string }>('select status from cases where case_no = $1', [part[i]!.case_no])).rows[0]?.status !== before;
            });
            if (moved) changed++;
          }
        } catch (err) {
          this.log.warn('status sync failed', { department, ...describeError(err) });
        }
      }
    }
    return changed;
  }

  /** A department call's signal: its time budget, or the stop's grace running out. */
  private callSignal(budgetMs: number): AbortSignal {
    return AbortSignal.any([AbortSignal.timeout(budgetMs), this.halt.signal]);
  }

  private context(signal: AbortSignal, caseNo: string | null): CallContext {
    return {
      signal,
      requestId: randomUUID(),
      operator: ACTOR.operator,
      purpose: caseNo ? `case:${caseNo}` : 'case-status-sync',
      residents: async (ids) => ids.map(() => new DependencyUnavailableError('hub', 'no resident lookups while forwarding')),
    };
  }
}
