/**
 * What the hub puts in front of every adapter, the same way for each: a read-through cache with
 * the adapter's TTL (and negative caching of people the department does not know), splitting into
 * the department's batch size, bounded concurrency, a timeout per call, waiting out 429s, serving a
 * stale entry when the department fails, and a running account of the department's health.
 *
 * One gateway per adapter for the life of the hub; the per-request DataLoaders call `load`.
 */
import { createHmac } from 'node:crypto';
import type { Adapter, CallContext, DepartmentData, Fetcher } from '../../adapters/contract.js';
import { ContractViolationError, DepartmentError, MalformedResponseError, RateLimitedError, UpstreamTimeoutError, UpstreamUnavailableError } from '../../adapters/errors.js';
import { chunks } from '../../adapters/http.js';
import type { CacheEntryWrite, CacheStore } from '../cache/store.js';
import { describeError, type Logger } from '../log.js';
import { BulkheadFullError, Semaphore } from '../util/semaphore.js';
import { CircuitBreaker } from './breaker.js';
import { validateDepartmentData } from './validate.js';
import { NO_OBSERVER, outcomeOf, type DepartmentObserver } from '../metrics.js';

export type SourceState = 'FRESH' | 'CACHED' | 'STALE';

/** A department's answer for one person, with where it came from. */
export interface Sourced {
  data: DepartmentData | null;
  state: SourceState;
  /** When the department gave this answer (ms since epoch). */
  fetchedAt: number;
}

export interface GatewayOptions {
  cacheEnabled: boolean;
  timeoutMs: number;
  rateLimitRetries: number;
  maxRetryAfterMs: number;
  negativeTtlSeconds: number;
  staleIfErrorSeconds: number;
  /** Caps every adapter TTL (0 = no cap). */
  maxTtlSeconds: number;
  /** Repeats of a read the department could not serve (5xx, connection refused or reset); never of writes. */
  readRetries: number;
  /** First pause before such a repeat, ms; doubles per repeat, with ±50% jitter. */
  retryBaseMs: number;
  /** Consecutive failed calls that open the department's circuit breaker. */
  breakerFailures: number;
  /** How long an open breaker refuses calls before one trial, ms. */
  breakerOpenMs: number;
  /** Calls in flight at once to the department (the bulkhead); unset = the adapter's maxConcurrency. */
  maxConcurrency?: number;
  /** Calls that may wait for a slot; beyond, a call is refused at once (it also waits at most timeoutMs). */
  maxWaiting: number;
}

/** The settings a department may have of its own (DEPT_<CODE>_<SETTING>, see docs/RESILIENCE.md). */
export const DEPARTMENT_POLICY_SETTINGS = {
  TIMEOUT_MS: 'timeoutMs',
  READ_RETRIES: 'readRetries',
  RETRY_BASE_MS: 'retryBaseMs',
  RATE_LIMIT_RETRIES: 'rateLimitRetries',
  MAX_RETRY_AFTER_MS: 'maxRetryAfterMs',
  BREAKER_FAILURES: 'breakerFailures',
  BREAKER_OPEN_MS: 'breakerOpenMs',
  STALE_IF_ERROR_SECONDS: 'staleIfErrorSeconds',
  MAX_CONCURRENCY: 'maxConcurrency',
  MAX_WAITING: 'maxWaiting',
} as const satisfies Record<string, keyof GatewayOptions>;

export type DepartmentPolicy = Partial<Pick<GatewayOptions, (typeof DEPARTMENT_POLICY_SETTINGS)[keyof typeof DEPARTMENT_POLICY_SETTINGS]>>;

export type DepartmentStatus = 'UP' | 'DEGRADED' | 'DOWN';

/** How long after a failure a department is still shown DEGRADED. */
const DEGRADED_WINDOW_MS = 60_000;

interface CachedEntry {
  /** the answer */
  d: DepartmentData | null;
  /** fetched at (ms) */
  t: number;
  /** fresh until (ms) */
  x: number;
}

function isCachedEntry(v: unknown): v is CachedEntry {
  return typeof v === 'object' && v !== null && typeof (v as CachedEntry).t === 'number' && typeof (v as CachedEntry).x === 'number' && 'd' in v;
}

/** Cache keys: a keyed hash of the ID number, so neither keys nor key scans reveal who is cached. */
export class CacheKeys {
  constructor(private readonly secret: string, private readonly prefix = 'owh:v1:') {}

  /** Keyed hash of any identifying string (ID numbers, or composites that contain one). */
  subject(value: string): string {
    return createHmac('sha256', this.secret).update(value).digest('base64url').slice(0, 24);
  }

  /** The key of one department answer; `subject` is `subject(idNumber)`. */
  data(department: string, fetcher: string, subject: string): string {
    return `${this.prefix}d:${department}:${fetcher}:${subject}`;
  }

  cursor(department: string): string {
    return `${this.prefix}cursor:${department}`;
  }
}

export class DepartmentGateway {
  readonly code: string;
  private readonly semaphore: Semaphore;
  readonly breaker: CircuitBreaker;
  private lastFailureAt = 0;
  private cacheFailing = false;
  /** Upstream calls made (one per batch sent to the adapter), for the bench and diagnostics. */
  upstreamCalls = 0;

  constructor(
    readonly adapter: Adapter,
    private readonly cache: CacheStore,
    private readonly keys: CacheKeys,
    private readonly options: GatewayOptions,
    private readonly log: Logger,
    private readonly observer: DepartmentObserver = NO_OBSERVER,
  ) {
    this.code = adapter.department.code;
    this.semaphore = new Semaphore(options.maxConcurrency ?? adapter.maxConcurrency, { maxWaiting: options.maxWaiting, maxWaitMs: options.timeoutMs });
    this.breaker = new CircuitBreaker(options.breakerFailures, options.breakerOpenMs);
  }

  /** Calls in flight and waiting at this department now (the bulkhead's load). */
  get bulkhead(): { active: number; waiting: number } {
    return this.semaphore.load;
  }

  /** The policy in force for this department (hub-wide defaults with its own overrides). */
  get policy(): Readonly<GatewayOptions> & { maxConcurrency: number } {
    return { ...this.options, maxConcurrency: this.semaphore.limit };
  }

  status(now = Date.now()): DepartmentStatus {
    if (this.adapter.health().status === 'DOWN') return 'DOWN';
    const breaker = this.breaker.state;
    if (breaker === 'OPEN') return 'DOWN';
    if (breaker === 'HALF_OPEN' || now - this.lastFailureAt < DEGRADED_WINDOW_MS) return 'DEGRADED';
    return 'UP';
  }

  /**
   * Answers for `ids` from `fetcher`, same length and order: a Sourced value, or an Error for a key
   * that failed and has no usable cache entry.
   */
  async load(fetcherName: string, ids: readonly string[], context: (signal: AbortSignal) => CallContext): Promise<Array<Sourced | Error>> {
    const fetcher = this.adapter.fetchers[fetcherName];
    if (!fetcher) throw new Error(`adapter ${this.code} has no fetcher ${fetcherName}`);
    const out: Array<Sourced | Error> = new Array(ids.length);
    const stale: Array<CachedEntry | undefined> = new Array(ids.length);
    let misses = ids.map((_, i) => i);

    const subjects = this.options.cacheEnabled ? ids.map((id) => this.keys.subject(id)) : [];
    if (this.options.cacheEnabled) {
      const entries = await this.readCache(fetcherName, subjects);
      const now = Date.now();
      misses = [];
      entries.forEach((entry, i) => {
        if (entry && entry.x > now) out[i] = { data: entry.d, state: 'CACHED', fetchedAt: entry.t };
        else {
          stale[i] = entry ?? undefined;
          misses.push(i);
        }
      });
    }
    if (misses.length === 0) {
      this.observer.cacheLookups(this.code, { hit: ids.length, miss: 0, stale: 0 });
      return out;
    }

    const answers = await this.fetch(fetcher, misses.map((i) => ids[i]!), context);
    const fetchedAt = Date.now();
    const writes: CacheEntryWrite[] = [];
    let servedStale = 0;
    answers.forEach((answer, j) => {
      const i = misses[j]!;
      if (answer instanceof Error) {
        const old = stale[i];
        if (old) servedStale++;
        out[i] = old ? { data: old.d, state: 'STALE', fetchedAt: old.t } : answer;
        return;
      }
      out[i] = { data: answer, state: 'FRESH', fetchedAt };
      if (this.options.cacheEnabled) {
        const ttlMs = (answer === null ? this.options.negativeTtlSeconds : this.ttlSeconds(fetcher)) * 1000;
        const entry: CachedEntry = { d: answer, t: fetchedAt, x: fetchedAt + ttlMs };
        writes.push({ key: this.keys.data(this.code, fetcherName, subjects[i]!), value: entry, ttlMs: ttlMs + this.options.staleIfErrorSeconds * 1000 });
      }
    });
    await this.writeCache(writes);
    if (this.options.cacheEnabled) this.observer.cacheLookups(this.code, { hit: ids.length - misses.length, miss: misses.length, stale: servedStale });
    return out;
  }

  private ttlSeconds(fetcher: Fetcher): number {
    return this.options.maxTtlSeconds > 0 ? Math.min(fetcher.cacheTtlSeconds, this.options.maxTtlSeconds) : fetcher.cacheTtlSeconds;
  }

  /** Forgets everything cached about these people at this department (after a change). */
  async invalidate(idNumbers: readonly string[]): Promise<void> {
    const keys = idNumbers.flatMap((id) => {
      const subject = this.keys.subject(id);
      return Object.keys(this.adapter.fetchers).map((f) => this.keys.data(this.code, f, subject));
    });
    if (keys.length) await this.cache.del(keys);
  }

  private async readCache(fetcherName: string, subjects: readonly string[]): Promise<Array<CachedEntry | null>> {
    try {
      const raw = await this.cache.mget(subjects.map((subject) => this.keys.data(this.code, fetcherName, subject)));
      this.cacheRecovered();
      return raw.map((v) => (isCachedEntry(v) ? v : null));
    } catch (err) {
      this.cacheFailed(err);
      return subjects.map(() => null);
    }
  }

  private async writeCache(writes: CacheEntryWrite[]): Promise<void> {
    if (writes.length === 0) return;
    try {
      await this.cache.mset(writes);
      this.cacheRecovered();
    } catch (err) {
      this.cacheFailed(err);
    }
  }

  private cacheFailed(err: unknown): void {
    if (!this.cacheFailing) this.log.warn('cache unavailable; answering uncached', { department: this.code, ...describeError(err) });
    this.cacheFailing = true;
  }

  private cacheRecovered(): void {
    if (this.cacheFailing) this.log.info('cache available again', { department: this.code });
    this.cacheFailing = false;
  }

  /**
   * Calls the department in batches of its limit. Keys it rate-limited are repeated after its
   * Retry-After; keys it could not serve (5xx, connection refused or reset — not timeouts, not
   * malformed answers) are repeated after an exponential, jittered pause, `readRetries` times.
   */
  private async fetch(fetcher: Fetcher, ids: readonly string[], context: (signal: AbortSignal) => CallContext): Promise<Array<DepartmentData | null | Error>> {
    const result: Array<DepartmentData | null | Error> = new Array(ids.length);
    let pending = ids.map((_, i) => i);
    let rateLimitedRounds = 0;
    let retryRounds = 0;
    for (;;) {
      await Promise.all(
        chunks(pending, fetcher.batchLimit).map(async (chunk) => {
          const answers = await this.semaphore.run(() => this.callOnce(fetcher, chunk.map((i) => ids[i]!), context)).catch((err: unknown) => {
            if (!(err instanceof BulkheadFullError)) throw err;
            // The department's slots are all taken by slow calls: this one is refused rather than queued
            // without end (and is not held against the department's breaker — no call was made).
            const busy = new UpstreamTimeoutError(this.code, `the department is busy: ${err.message}`);
            this.observer.call(this.code, 'busy', null);
            return chunk.map(() => busy);
          });
          chunk.forEach((i, j) => (result[i] = answers[j]!));
        }),
      );
      const limited = pending.filter((i) => result[i] instanceof RateLimitedError);
      const unavailable = pending.filter((i) => result[i] instanceof UpstreamUnavailableError && this.breaker.state === 'CLOSED');
      if (limited.length && rateLimitedRounds < this.options.rateLimitRetries) {
        const wait = Math.max(...limited.map((i) => (result[i] as RateLimitedError).retryAfterMs));
        if (wait <= this.options.maxRetryAfterMs) {
          rateLimitedRounds++;
          await new Promise((r) => setTimeout(r, wait));
          pending = limited;
          continue;
        }
      }
      if (unavailable.length && retryRounds < this.options.readRetries) {
        const pause = this.options.retryBaseMs * 2 ** retryRounds * (0.5 + Math.random());
        retryRounds++;
        await new Promise((r) => setTimeout(r, pause));
        pending = unavailable;
        continue;
      }
      return result;
    }
  }

  /** One upstream call: never throws; a whole-call failure fills every slot with the error. */
  private async callOnce(fetcher: Fetcher, ids: string[], context: (signal: AbortSignal) => CallContext): Promise<Array<DepartmentData | null | Error>> {
    if (!this.breaker.allow()) {
      const open = new UpstreamUnavailableError(this.code, 'the department failed repeatedly; calls are paused for a moment (circuit open)');
      this.observer.call(this.code, 'circuit_open', null);
      return ids.map(() => open);
    }
    this.upstreamCalls++;
    const started = performance.now();
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(new UpstreamTimeoutError(this.code, `the department did not answer within ${this.options.timeoutMs} ms`));
      }, this.options.timeoutMs);
    });
    let answers: Array<DepartmentData | null | Error>;
    try {
      const raw = await Promise.race([fetcher.batch(ids, context(controller.signal)), timeout]);
      answers = this.checkContract(ids, raw);
    } catch (err) {
      const error = err instanceof DepartmentError ? err : new MalformedResponseError(this.code, 'the adapter failed unexpectedly', { cause: err });
      this.log.warn('department call failed', { department: this.code, keys: ids.length, ...describeError(error) });
      answers = ids.map(() => error);
    } finally {
      clearTimeout(timer);
    }
    const errors = answers.filter((a) => a instanceof Error);
    const failed = errors.filter((e) => !(e instanceof RateLimitedError)).length;
    this.observer.call(this.code, errors.length === 0 ? 'ok' : errors.length === answers.length ? outcomeOf(errors[0]) : 'partial', (performance.now() - started) / 1000);
    if (failed === answers.length && failed > 0) {
      this.breaker.failure();
      this.lastFailureAt = Date.now();
    } else {
      this.breaker.success();
      if (failed > 0) this.lastFailureAt = Date.now();
    }
    return answers;
  }

  /**
   * DataLoader's contract, checked: same length; every slot an object, null or Error; data
   * well-formed. Entitlement ids become the hub's public ones here, once, before anything is cached:
   * a keyed hash of department, resident and the department's own id, which reveals neither.
   */
  private checkContract(ids: string[], raw: unknown): Array<DepartmentData | null | Error> {
    if (!Array.isArray(raw) || raw.length !== ids.length) {
      throw new ContractViolationError(this.code, `the adapter answered ${Array.isArray(raw) ? raw.length : 'no list of'} results for ${ids.length} keys`);
    }
    return raw.map((slot, i) => {
      if (slot === null || slot instanceof Error) return slot;
      const problem = validateDepartmentData(slot, ids[i]!);
      if (problem) return new MalformedResponseError(this.code, `the adapter answered malformed data: ${problem}`);
      const data = slot as DepartmentData;
      if (!data.entitlements) return data;
      return { ...data, entitlements: data.entitlements.map((e) => ({ ...e, id: this.keys.subject(`${this.code}|${ids[i]}|${e.id}`) })) };
    });
  }
}
