/**
 * The 业务流转 desk every simulated department runs: it receives forwarded cases (idempotent by the
 * Idempotency-Key header, which the hub sets to its case number) and progresses them over time —
 * RECEIVED, IN_REVIEW after `caseReviewAfterMs`, COMPLETED after `caseDecideAfterMs` (a share
 * REJECTED) — except instant items, completed at once, and cases a test holds where they are
 * (`POST /_sim/cases/hold`: an on-site inspection, a special procedure). The wire shape is the one-window
 * platform's forwarding interface, the same at every department (that is how such platforms
 * connect departments), in JSON.
 */
import { createHash } from 'node:crypto';
import { jsonBody, type Simulator } from './simulator.js';

export const CASE_STATUS_BATCH_LIMIT = 50;

export interface CaseDeskSettings extends Record<string, unknown> {
  caseReviewAfterMs: number;
  caseDecideAfterMs: number;
  /** Share (0..1) of decided promised cases that are rejected, chosen by the case number's hash. */
  caseRejectRate: number;
}

export const DEFAULT_CASE_DESK: CaseDeskSettings = { caseReviewAfterMs: 2000, caseDecideAfterMs: 8000, caseRejectRate: 0.1 };

interface StoredCase {
  departmentRef: string;
  caseNo: string;
  bodyHash: string;
  instant: boolean;
  receivedAt: number;
  /** How many times the department created it (must stay 1: duplicates are what the hub must never cause). */
  creations: number;
  /** How many times it was submitted (retries with the same key count here). */
  submissions: number;
}

export function addCaseDesk(sim: Simulator, prefix: string): void {
  Object.assign(sim.settings, { ...DEFAULT_CASE_DESK, ...sim.settings });
  const byKey = new Map<string, StoredCase>();
  const byRef = new Map<string, StoredCase>();
  /** Cases kept at a status whatever their age, by case number. */
  const held = new Map<string, 'IN_REVIEW' | 'SUSPENDED'>();
  let seq = 0;
  const s = sim.settings as CaseDeskSettings;

  const statusOf = (c: StoredCase, now = Date.now()) => {
    if (c.instant) return { status: 'COMPLETED', outcome: 'APPROVED' };
    const hold = held.get(c.caseNo);
    if (hold) return { status: hold, ...(hold === 'SUSPENDED' ? { note: '现场核查' } : {}) };
    const age = now - c.receivedAt;
    if (age < s.caseReviewAfterMs) return { status: 'RECEIVED' };
    if (age < s.caseDecideAfterMs) return { status: 'IN_REVIEW' };
    const h = createHash('sha256').update(c.caseNo).digest().readUInt16BE(0) / 65536;
    return h < s.caseRejectRate ? { status: 'COMPLETED', outcome: 'REJECTED', note: '不符合条件' } : { status: 'COMPLETED', outcome: 'APPROVED' };
  };

  sim.route('POST', '/one-window/v1/cases', 'cases.submit', (req) => {
    const key = String(req.headers['idempotency-key'] ?? '');
    if (!key) return { status: 400, body: { error: { code: 'INVALID_ARGUMENT', message: 'Idempotency-Key header is required' } } };
    const parsed = jsonBody<{ caseNo?: unknown; serviceItemCode?: unknown; handlingMode?: unknown }>(req);
    if (!parsed.ok) return parsed.response;
    const b = parsed.value;
    if (typeof b.caseNo !== 'string' || typeof b.serviceItemCode !== 'string') return { status: 400, body: { error: { code: 'INVALID_ARGUMENT', message: 'caseNo and serviceItemCode are required' } } };
    const bodyHash = createHash('sha256').update(req.body).digest('hex');
    const existing = byKey.get(key);
    if (existing) {
      if (existing.caseNo !== b.caseNo) return { status: 422, body: { error: { code: 'INVALID_ARGUMENT', message: 'Idempotency-Key reused for another case' } } };
      existing.submissions++;
      return { status: 200, body: { departmentRef: existing.departmentRef, ...statusOf(existing) } };
    }
    const c: StoredCase = { departmentRef: `${prefix}${String(++seq).padStart(8, '0')}`, caseNo: b.caseNo, bodyHash, instant: b.handlingMode === 'IMMEDIATE', receivedAt: Date.now(), creations: 1, submissions: 1 };
    byKey.set(key, c);
    byRef.set(c.departmentRef, c);
    return { status: 201, body: { departmentRef: c.departmentRef, ...statusOf(c) } };
  });

  sim.route('POST', '/one-window/v1/cases:batchStatus', 'cases.status', (req) => {
    const parsed = jsonBody<{ departmentRefs?: unknown }>(req);
    if (!parsed.ok) return parsed.response;
    const refs = parsed.value.departmentRefs;
    if (!Array.isArray(refs) || refs.length > CASE_STATUS_BATCH_LIMIT) return { status: 400, body: { error: { code: 'INVALID_ARGUMENT', message: `departmentRefs: a list of at most ${CASE_STATUS_BATCH_LIMIT}` } } };
    sim.recordBatch('cases.status', refs.length);
    return {
      status: 200,
      body: {
        results: refs.map((ref) => {
          const c = byRef.get(String(ref));
          return c ? { departmentRef: c.departmentRef, ...statusOf(c) } : { departmentRef: String(ref), error: { code: 'NOT_FOUND', message: 'no such case' } };
        }),
      },
    };
  });

  /** Test hook: keep cases at IN_REVIEW or SUSPENDED (`{ caseNos, status }`), or let them go on (`{ caseNos, release: true }`). */
  sim.control('cases/hold', (body) => {
    const caseNos = Array.isArray(body.caseNos) ? body.caseNos.map(String) : [];
    for (const no of caseNos) {
      if (body.release) held.delete(no);
      else held.set(no, body.status === 'SUSPENDED' ? 'SUSPENDED' : 'IN_REVIEW');
    }
    return { held: held.size };
  });

  /** Test hook: what the department holds, per case number. */
  sim.control('cases', () => ({
    cases: Object.fromEntries([...byKey.values()].map((c) => [c.caseNo, { departmentRef: c.departmentRef, creations: c.creations, submissions: c.submissions, ...statusOf(c) }])),
  }));
}
