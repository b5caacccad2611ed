/**
 * The one place adapters turn HTTP outcomes into typed errors: connection failures and 5xx become
 * UpstreamUnavailable, 429 becomes RateLimited (Retry-After honoured, seconds or HTTP date), an
 * aborted call becomes UpstreamTimeout. Other statuses are handed back for the adapter to read.
 */
import { request, type Dispatcher } from 'undici';
import type { CallContext, DepartmentData } from './contract.js';

/** What a department call carries besides its body: cancellation and who asks why. */
export type CallMeta = Pick<CallContext, 'signal' | 'requestId' | 'operator' | 'purpose'>;
import { MalformedResponseError, RateLimitedError, UpstreamTimeoutError, UpstreamUnavailableError } from './errors.js';
import { correlationHeaders } from './correlation.js';

export interface HttpCall {
  method: 'GET' | 'POST';
  url: URL;
  headers?: Record<string, string>;
  body?: string | Buffer;
  signal: AbortSignal;
  /** The operator and purpose, sent to the department as X-Operator-Id / X-Purpose / X-Request-Id. */
  meta?: CallMeta;
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v) return 1000;
  if (/^\d+$/.test(v.trim())) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? 1000 : Math.max(0, at - now);
}

export async function send(dispatcher: Dispatcher, department: string, call: HttpCall): Promise<HttpAnswer> {
  let res: Dispatcher.ResponseData;
  try {
    const correlation = call.meta ? correlationHeaders(call.meta) : {};
    res = await request(call.url, { dispatcher, method: call.method, headers: { ...correlation, ...call.headers }, body: call.body, signal: call.signal });
  } catch (err) {
    if (call.signal.aborted) throw new UpstreamTimeoutError(department, 'the department did not answer in time', { cause: err });
    throw new UpstreamUnavailableError(department, 'the department could not be reached', { cause: err });
  }
  let body: Buffer;
  try {
    body = Buffer.from(await res.body.arrayBuffer());
  } catch (err) {
    if (call.signal.aborted) throw new UpstreamTimeoutError(department, 'the department did not finish its answer in time', { cause: err });
    throw new UpstreamUnavailableError(department, 'the department broke off its answer', { cause: err });
  }
  if (res.statusCode === 429) throw new RateLimitedError(department, parseRetryAfter(res.headers['retry-after']));
  if (res.statusCode >= 500) throw new UpstreamUnavailableError(department, `the department answered HTTP ${res.statusCode}`);
  return { status: res.statusCode, headers: res.headers, body };
}

/** Parses a JSON body; anything else is a MalformedResponseError. */
export function json<T = unknown>(department: string, answer: HttpAnswer): T {
  try {
    return JSON.parse(answer.body.toString('utf8')) as T;
  } catch (err) {
    throw new MalformedResponseError(department, `the department answered HTTP ${answer.status} with a body that is not JSON`, { cause: err });
  }
}

/** Splits an array into chunks of at most `size`. */
export function chunks<T>(xs: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += size) out.push(xs.slice(i, i + size));
  return out;
}

/**
 * One slot per key, in key order: `map` of the record the department answered for the key,
 * `missing` where it said nothing of it; a record that does not map becomes that key's Error
 * (the other keys keep their answers).
 */
/**
 * A department's batch answer by key, checked: every record for somebody asked about, nobody
 * twice, no more records than keys. A system that answers about people it was not asked about
 * is confused; none of its answer is trusted (MalformedResponseError for the whole batch) —
 * showing one resident another's record is the worst thing the hub could do.
 */
export function recordsByKey<W>(department: string, asked: readonly string[], records: readonly W[], keyOf: (record: W) => string): Map<string, W> {
  const wanted = new Set(asked);
  const found = new Map<string, W>();
  for (const r of records) {
    const key = keyOf(r);
    if (!wanted.has(key)) throw new MalformedResponseError(department, `the department answered ${records.length} records for ${asked.length} keys, one of them for somebody not asked about`);
    if (found.has(key)) throw new MalformedResponseError(department, `the department answered ${records.length} records for ${asked.length} keys, one person twice`);
    found.set(key, r);
  }
  return found;
}

export function slots<W>(keys: readonly string[], found: Map<string, W>, map: (record: W) => DepartmentData, missing: DepartmentData | null): Array<DepartmentData | null | Error> {
  return keys.map((k) => {
    const record = found.get(k);
    if (record === undefined) return missing;
    try {
      return map(record);
    } catch (err) {
      return err as Error;
    }
  });
}
