/**
 * Client of the departments' case-forwarding interface (POST /one-window/v1/cases with
 * Idempotency-Key, POST /one-window/v1/cases:batchStatus), shared by the bundled adapters.
 */
import type { Dispatcher } from 'undici';
import type { CaseAnswer, CaseDesk, DepartmentCaseStatus } from './contract.js';
import { MalformedResponseError, UpstreamRejectedError } from './errors.js';
import { json, send } from './http.js';
import { correlationHeaders } from './correlation.js';

const STATUSES = new Set<DepartmentCaseStatus>(['RECEIVED', 'IN_REVIEW', 'SUSPENDED', 'COMPLETED']);

function toAnswer(department: string, x: unknown): CaseAnswer {
  const a = x as Partial<CaseAnswer>;
  if (typeof a?.departmentRef !== 'string' || !STATUSES.has(a.status as DepartmentCaseStatus)) throw new MalformedResponseError(department, 'a case answer lacks its reference or has an unknown status');
  if (a.outcome !== undefined && a.outcome !== null && a.outcome !== 'APPROVED' && a.outcome !== 'REJECTED') throw new MalformedResponseError(department, 'a case answer has an unknown outcome');
  return { departmentRef: a.departmentRef, status: a.status as DepartmentCaseStatus, outcome: a.outcome ?? null, note: typeof a.note === 'string' ? a.note : null };
}

export interface CaseDeskOptions {
  /** Path prefix of the two endpoints: the departments' platform uses /one-window/v1, the remote adapter protocol /v1. */
  prefix?: string;
  /** Extra headers per call (the hub's token for remote adapters). */
  headers?: () => Promise<Record<string, string>>;
}

export function caseDesk(department: string, dispatcher: Dispatcher, base: URL, options: CaseDeskOptions = {}): CaseDesk {
  const prefix = options.prefix ?? '/one-window/v1';
  const extra = options.headers ?? (async () => ({}));
  return {
    statusBatchLimit: 50,
    async submit(c, ctx) {
      const answer = await send(dispatcher, department, {
        method: 'POST',
        url: new URL(`${prefix}/cases`, base),
        headers: { ...(await extra()), 'content-type': 'application/json', 'idempotency-key': c.caseNo, ...correlationHeaders(ctx), 'x-case-no': c.caseNo },
        body: JSON.stringify(c),
        signal: ctx.signal,
      });
      const body = json<Record<string, unknown>>(department, answer);
      if (answer.status !== 200 && answer.status !== 201) throw new UpstreamRejectedError(department, `the department refused the case (HTTP ${answer.status})`);
      return toAnswer(department, body);
    },
    async batchStatus(refs, ctx) {
      const answer = await send(dispatcher, department, {
        method: 'POST',
        url: new URL(`${prefix}/cases:batchStatus`, base),
        headers: { ...(await extra()), 'content-type': 'application/json', ...correlationHeaders(ctx) },
        body: JSON.stringify({ departmentRefs: refs }),
        signal: ctx.signal,
      });
      const body = json<{ results?: unknown }>(department, answer);
      if (answer.status !== 200 || !Array.isArray(body.results) || body.results.length !== refs.length) throw new MalformedResponseError(department, 'the status answer is not one result per reference');
      return body.results.map((r: { error?: { message?: string } }, i) => {
        if (r?.error) return new UpstreamRejectedError(department, `the department has no status for a case (${String(r.error.message ?? 'error')})`);
        try {
          const a = toAnswer(department, r);
          return a.departmentRef === refs[i] ? a : new MalformedResponseError(department, 'the status answers are out of order');
        } catch (err) {
          return err as Error;
        }
      });
    },
  };
}
