/**
 * Operations metrics in the Prometheus text format at `/metrics` (prom-client, one registry per
 * hub): department calls by outcome and their duration, cache lookups, the breakers and bulkheads,
 * GraphQL requests, the outbox's rows, the audit spool, and Node's own process metrics. Labels are
 * department codes, outcomes and states — never anything about a resident.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import {
  ContractViolationError,
  MalformedResponseError,
  RateLimitedError,
  UpstreamRejectedError,
  UpstreamTimeoutError,
  UpstreamUnavailableError,
} from '../adapters/errors.js';
import type { Db } from './db/db.js';

/** What a department gateway reports about its calls and cache lookups. */
export interface DepartmentObserver {
  /** One call to the department (or one refused before it was made: `circuit_open`, `busy`). */
  call(department: string, outcome: CallOutcome, seconds: number | null): void;
  cacheLookups(department: string, counts: { hit: number; miss: number; stale: number }): void;
}

export type CallOutcome = 'ok' | 'partial' | 'timeout' | 'unavailable' | 'rate_limited' | 'malformed' | 'contract' | 'rejected' | 'error' | 'circuit_open' | 'busy';

export const NO_OBSERVER: DepartmentObserver = { call: () => undefined, cacheLookups: () => undefined };

/** The outcome label of a call whose every slot failed with `err`. */
export function outcomeOf(err: unknown): CallOutcome {
  if (err instanceof UpstreamTimeoutError) return 'timeout';
  if (err instanceof UpstreamUnavailableError) return 'unavailable';
  if (err instanceof RateLimitedError) return 'rate_limited';
  if (err instanceof ContractViolationError) return 'contract';
  if (err instanceof MalformedResponseError) return 'malformed';
  if (err instanceof UpstreamRejectedError) return 'rejected';
  return 'error';
}

/** What the scrape reads at the moment it happens. */
export interface MetricsSources {
  departments: () => { code: string; breaker: 'CLOSED' | 'OPEN' | 'HALF_OPEN'; active: number; waiting: number }[];
  db: Db;
  auditSpooled: () => boolean;
}

/**
 * Node's own metrics (memory, event-loop lag, GC), once per process: prom-client starts an
 * event-loop monitor and a GC observer for each registry it fills, which several hubs in one
 * process (the tests) would otherwise pile up.
 */
let processMetrics: Registry | null = null;
function processRegistry(): Registry {
  if (!processMetrics) {
    processMetrics = new Registry();
    collectDefaultMetrics({ register: processMetrics, prefix: 'owh_' });
  }
  return processMetrics;
}

export class HubMetrics implements DepartmentObserver {
  readonly registry = new Registry();
  private readonly calls = new Counter({ name: 'owh_department_calls_total', help: 'Department calls by outcome (circuit_open and busy: refused by the hub before any call)', labelNames: ['department', 'outcome'], registers: [this.registry] });
  private readonly callSeconds = new Histogram({
    name: 'owh_department_call_duration_seconds',
    help: 'Duration of department calls, whatever their outcome',
    labelNames: ['department'],
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  private readonly lookups = new Counter({ name: 'owh_cache_lookups_total', help: 'Cache lookups per department: hit (fresh), miss (asked the department), stale (served after a failure)', labelNames: ['department', 'result'], registers: [this.registry] });
  private readonly requests = new Counter({ name: 'owh_graphql_requests_total', help: 'GraphQL requests by HTTP status', labelNames: ['status'], registers: [this.registry] });
  private readonly requestSeconds = new Histogram({ name: 'owh_graphql_request_duration_seconds', help: 'GraphQL request duration', buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5], registers: [this.registry] });

  /** The exposition text: this hub's metrics and the process's. */
  async text(): Promise<string> {
    return Registry.merge([this.registry, processRegistry()]).metrics();
  }

  /** Gauges read at scrape time from the running hub. */
  bind(sources: MetricsSources): void {
    new Gauge({
      name: 'owh_department_breaker_open',
      help: 'Circuit breaker per department: 0 closed, 0.5 half-open (one trial allowed), 1 open',
      labelNames: ['department'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const d of sources.departments()) this.set({ department: d.code }, d.breaker === 'OPEN' ? 1 : d.breaker === 'HALF_OPEN' ? 0.5 : 0);
      },
    });
    new Gauge({
      name: 'owh_department_bulkhead',
      help: 'Department calls in flight (active) and waiting for a slot (waiting)',
      labelNames: ['department', 'slot'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const d of sources.departments()) {
          this.set({ department: d.code, slot: 'active' }, d.active);
          this.set({ department: d.code, slot: 'waiting' }, d.waiting);
        }
      },
    });
    const ledgerUp = new Gauge({ name: 'owh_ledger_up', help: '1 when the case ledger answered the scrape, 0 when it did not', registers: [this.registry] });
    new Gauge({
      name: 'owh_outbox_rows',
      help: 'Forwardings still in the outbox by state (FAILED: waiting for an administrator, see retryForwarding); acknowledged ones are not counted',
      labelNames: ['state'],
      registers: [this.registry],
      async collect() {
        this.reset();
        try {
          // every scrape: only the rows still in play (a partial index), not the years of acknowledged ones
          const { rows } = await sources.db.query<{ state: string; n: number }>(`select state, count(*)::int as n from outbox where state <> 'ACKNOWLEDGED' group by state`);
          for (const state of ['PENDING', 'SENT', 'FAILED']) this.set({ state }, rows.find((r) => r.state === state)?.n ?? 0);
          ledgerUp.set(1);
        } catch {
          ledgerUp.set(0);
        }
      },
    });
    new Gauge({
      name: 'owh_audit_spooled',
      help: '1 while audit records wait in the local spool for the database',
      registers: [this.registry],
      collect() {
        this.set(sources.auditSpooled() ? 1 : 0);
      },
    });
  }

  call(department: string, outcome: CallOutcome, seconds: number | null): void {
    this.calls.inc({ department, outcome });
    if (seconds !== null) this.callSeconds.observe({ department }, seconds);
  }

  cacheLookups(department: string, counts: { hit: number; miss: number; stale: number }): void {
    for (const [result, n] of Object.entries(counts)) if (n > 0) this.lookups.inc({ department, result }, n);
  }

  request(status: number, seconds: number): void {
    this.requests.inc({ status: String(status) });
    this.requestSeconds.observe(seconds);
  }
}
