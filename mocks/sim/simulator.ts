/**
 * The common body of every simulated department system: a real HTTP server with latency, jitter
 * and fault injection settable at start and at run time, counters of the calls it received (and
 * the batch sizes), a change feed, and control endpoints under `/_sim/` that are never delayed,
 * faulted or counted.
 *
 * Each department module adds its own routes and wire format on top (JSON, GBK XML, tokens, 429s…).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { rng } from '../data/random.js';

export interface FaultOptions {
  /** Fixed delay added to every department call, in milliseconds. */
  latencyMs: number;
  /** Uniform random extra delay, 0..jitterMs. */
  jitterMs: number;
  /** Share of calls (0..1) answered 503. */
  failRate: number;
  /** Share of calls (0..1) delayed by slowMs more. */
  slowRate: number;
  slowMs: number;
  /** Share of calls (0..1) answered 200 with a body that is not the department's format. */
  garbageRate: number;
  /** Everything answers 503 (the department system is down). */
  down: boolean;
  /** Share of calls (0..1) whose connection is reset instead of answered. */
  resetRate: number;
  /** > 0: the answer is sent in 10 pieces, this many ms apart (a department that dribbles). */
  dribbleMs: number;
  /** Share of batch answers with a record too many, for someone not asked about (see SimResponse.wrongBatch). */
  wrongBatchRate: number;
}

export const NO_FAULTS: FaultOptions = { latencyMs: 0, jitterMs: 0, failRate: 0, slowRate: 0, slowMs: 0, garbageRate: 0, down: false, resetRate: 0, dribbleMs: 0, wrongBatchRate: 0 };

export interface SimRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  params: Record<string, string>;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  remoteAddress: string;
}

export interface SimResponse {
  status: number;
  headers?: Record<string, string>;
  /** Objects are sent as JSON; strings and buffers as they are. */
  body?: unknown;
  /**
   * The same answer as a confused system would give it — a record too many, for someone not asked
   * about (or, one person per call, the answer for somebody else). Sent instead under the
   * `wrongBatchRate` fault; built by the route, which knows its format.
   */
  wrongBatch?: () => SimResponse;
}

export type Handler = (req: SimRequest) => SimResponse | Promise<SimResponse>;

interface Route {
  method: string;
  pattern: RegExp;
  keys: string[];
  name: string;
  handler: Handler;
}

export interface Change {
  seq: number;
  at: string;
  [field: string]: unknown;
}

export interface CounterSnapshot {
  /** Calls received per route name (department routes only). */
  calls: Record<string, number>;
  /** Size of each batch received per route, in arrival order. */
  batches: Record<string, number[]>;
  /** Answers by status code. */
  statuses: Record<string, number>;
  /** Highest number of department calls in flight at once. */
  maxInFlight: number;
  /** Who called and why, as the X-Operator-Id and X-Purpose headers said: "route:operator|purpose" → calls. */
  callers: Record<string, number>;
}

export class Simulator {
  readonly code: string;
  faults: FaultOptions;
  private readonly routes: Route[] = [];
  private readonly rand: () => number;
  private counters: CounterSnapshot = { calls: {}, batches: {}, statuses: {}, maxInFlight: 0, callers: {} };
  private inFlight = 0;
  private readonly inFlightByRoute = new Map<string, number>();
  private readonly changes: Change[] = [];
  private server: http.Server | null = null;
  /** Extra per-department settings changed through PATCH /_sim/config. */
  readonly settings: Record<string, unknown>;

  constructor(code: string, faults: Partial<FaultOptions> = {}, settings: Record<string, unknown> = {}, faultSeed = 1) {
    this.code = code;
    this.faults = { ...NO_FAULTS, ...faults };
    this.settings = settings;
    this.rand = rng(faultSeed);
  }

  /** Registers a department route; `:name` segments become params. */
  route(method: string, path: string, name: string, handler: Handler): this {
    const keys: string[] = [];
    const pattern = new RegExp(
      '^' + path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:(\w+)/g, (_, k: string) => (keys.push(k), '([^/]+)')) + '$',
    );
    this.routes.push({ method, pattern, keys, name, handler });
    return this;
  }

  /** Records the size of a batch the department received (tests assert the batches, not only values). */
  recordBatch(route: string, size: number): void {
    (this.counters.batches[route] ??= []).push(size);
  }

  countStatus(status: number): void {
    this.counters.statuses[status] = (this.counters.statuses[status] ?? 0) + 1;
  }

  snapshot(): CounterSnapshot {
    return structuredClone(this.counters);
  }

  resetCounters(): void {
    this.counters = { calls: {}, batches: {}, statuses: {}, maxInFlight: 0, callers: {} };
  }

  /** Calls received and not yet answered (of one route, or all): sent by the hub, answer still to come. */
  inFlightNow(route?: string): number {
    return route ? (this.inFlightByRoute.get(route) ?? 0) : this.inFlight;
  }

  /** Total department calls received, optionally for some routes only. */
  totalCalls(...routes: string[]): number {
    return Object.entries(this.counters.calls)
      .filter(([name]) => routes.length === 0 || routes.includes(name))
      .reduce((sum, [, n]) => sum + n, 0);
  }

  emitChange(change: Record<string, unknown>): Change {
    const c: Change = { seq: this.changes.length + 1, at: new Date().toISOString(), ...change };
    this.changes.push(c);
    return c;
  }

  /** Changes after `cursor` (a sequence number; 0 = from the start), at most `limit`. */
  changesSince(cursor: number, limit: number): { changes: Change[]; next: number } {
    const changes = this.changes.slice(cursor, cursor + limit);
    return { changes, next: cursor + changes.length };
  }

  get lastChangeSeq(): number {
    return this.changes.length;
  }

  /** Department-specific control hooks (e.g. mutate a record), under POST /_sim/<name>. */
  private readonly controls = new Map<string, (body: Record<string, unknown>) => unknown>();

  control(name: string, fn: (body: Record<string, unknown>) => unknown): this {
    this.controls.set(name, fn);
    return this;
  }

  async listen(port = 0, host = '127.0.0.1'): Promise<string> {
    const server = http.createServer((req, res) => void this.handle(req, res));
    server.keepAliveTimeout = 30_000;
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    const addr = server.address() as AddressInfo;
    return `http://${host}:${addr.port}`;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sim');
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    try {
      if (url.pathname.startsWith('/_sim/')) {
        this.send(res, await this.handleControl(req.method ?? 'GET', url.pathname.slice(6), body));
        return;
      }
      const found = this.match(req.method ?? 'GET', url.pathname);
      if (!found) {
        this.send(res, { status: 404, body: { error: 'no such endpoint' } });
        return;
      }
      const { route, params } = found;
      this.counters.calls[route.name] = (this.counters.calls[route.name] ?? 0) + 1;
      const caller = `${route.name}:${String(req.headers['x-operator-id'] ?? '-')}|${String(req.headers['x-purpose'] ?? '-')}`;
      this.counters.callers[caller] = (this.counters.callers[caller] ?? 0) + 1;
      this.inFlight++;
      this.inFlightByRoute.set(route.name, (this.inFlightByRoute.get(route.name) ?? 0) + 1);
      this.counters.maxInFlight = Math.max(this.counters.maxInFlight, this.inFlight);
      try {
        let response = await this.withFaults(() =>
          route.handler({
            method: req.method ?? 'GET',
            path: url.pathname,
            query: url.searchParams,
            params,
            headers: req.headers,
            body,
            remoteAddress: req.socket.remoteAddress ?? '',
          }),
        );
        if (response.wrongBatch && this.faults.wrongBatchRate > 0 && this.rand() < this.faults.wrongBatchRate) response = response.wrongBatch();
        this.countStatus(response.status);
        if (this.faults.resetRate > 0 && this.rand() < this.faults.resetRate) {
          req.socket.destroy(); // connection reset by peer
          return;
        }
        if (this.faults.dribbleMs > 0) {
          await this.dribble(res, response);
          return;
        }
        this.send(res, response);
      } finally {
        this.inFlight--;
        this.inFlightByRoute.set(route.name, this.inFlightByRoute.get(route.name)! - 1);
      }
    } catch (err) {
      this.countStatus(500);
      this.send(res, { status: 500, body: { error: 'simulator failure', detail: String(err) } });
    }
  }

  private async withFaults(run: () => SimResponse | Promise<SimResponse>): Promise<SimResponse> {
    const f = this.faults;
    let delay = f.latencyMs + (f.jitterMs > 0 ? this.rand() * f.jitterMs : 0);
    if (f.slowRate > 0 && this.rand() < f.slowRate) delay += f.slowMs;
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    if (f.down) return { status: 503, body: { error: 'service unavailable' } };
    if (f.failRate > 0 && this.rand() < f.failRate) return { status: 503, body: { error: 'service temporarily unavailable' } };
    if (f.garbageRate > 0 && this.rand() < f.garbageRate) {
      return { status: 200, headers: { 'content-type': 'text/html' }, body: '<html><body>502 Bad Gateway (nginx)</body></html>' };
    }
    return run();
  }

  private match(method: string, path: string): { route: Route; params: Record<string, string> } | null {
    for (const route of this.routes) {
      if (route.method !== method) continue;
      const m = route.pattern.exec(path);
      if (!m) continue;
      const params: Record<string, string> = {};
      route.keys.forEach((k, i) => (params[k] = decodeURIComponent(m[i + 1]!)));
      return { route, params };
    }
    return null;
  }

  private async handleControl(method: string, name: string, body: Buffer): Promise<SimResponse> {
    const json = body.length ? (JSON.parse(body.toString('utf8')) as Record<string, unknown>) : {};
    if (name === 'counters' && method === 'GET') return { status: 200, body: this.snapshot() };
    if (name === 'counters/reset' && method === 'POST') return this.resetCounters(), { status: 204 };
    if (name === 'config' && method === 'GET') return { status: 200, body: { faults: this.faults, settings: this.settings } };
    if (name === 'config' && method === 'PATCH') {
      const { settings, ...faults } = json;
      try {
        this.configure(faults as Partial<FaultOptions>, settings as Record<string, unknown> | undefined);
      } catch (err) {
        return { status: 400, body: { error: (err as Error).message } };
      }
      return { status: 200, body: { faults: this.faults, settings: this.settings } };
    }
    const fn = this.controls.get(name);
    if (fn && method === 'POST') return { status: 200, body: (await fn(json)) ?? {} };
    return { status: 404, body: { error: `no control ${method} /_sim/${name}` } };
  }

  /** Changes latency/faults (and department settings) at run time. Unknown names are refused. */
  configure(faults: Partial<FaultOptions>, settings?: Record<string, unknown>): void {
    for (const [k, v] of Object.entries(faults)) {
      if (!(k in NO_FAULTS)) throw new RangeError(`unknown fault option ${k}`);
      if (typeof v !== typeof NO_FAULTS[k as keyof FaultOptions]) throw new TypeError(`fault option ${k} must be a ${typeof NO_FAULTS[k as keyof FaultOptions]}`);
    }
    Object.assign(this.faults, faults);
    if (settings) {
      for (const k of Object.keys(settings)) if (!(k in this.settings)) throw new RangeError(`unknown setting ${k}`);
      Object.assign(this.settings, settings);
    }
  }

  private async dribble(res: http.ServerResponse, r: SimResponse): Promise<void> {
    const payload = Buffer.isBuffer(r.body) ? r.body : Buffer.from(typeof r.body === 'string' ? r.body : JSON.stringify(r.body ?? ''));
    res.writeHead(r.status, { 'content-type': r.headers?.['content-type'] ?? 'application/json; charset=utf-8', ...(r.headers ?? {}) });
    const piece = Math.ceil(payload.length / 10) || 1;
    for (let i = 0; i < payload.length && !res.destroyed; i += piece) {
      res.write(payload.subarray(i, i + piece));
      await new Promise((resolve) => setTimeout(resolve, this.faults.dribbleMs));
    }
    res.end();
  }

  private send(res: http.ServerResponse, r: SimResponse): void {
    const headers: Record<string, string> = { ...(r.headers ?? {}) };
    let payload: Buffer | string = '';
    if (Buffer.isBuffer(r.body) || typeof r.body === 'string') payload = r.body;
    else if (r.body !== undefined) {
      payload = JSON.stringify(r.body);
      headers['content-type'] ??= 'application/json; charset=utf-8';
    }
    res.writeHead(r.status, headers);
    res.end(payload);
  }
}

/** Parses a JSON body, or gives the 400 answer most of the departments' gateways send. */
export function jsonBody<T>(req: SimRequest): { ok: true; value: T } | { ok: false; response: SimResponse } {
  try {
    return { ok: true, value: JSON.parse(req.body.toString('utf8')) as T };
  } catch {
    return { ok: false, response: { status: 400, body: { code: 400, message: 'request body is not valid JSON' } } };
  }
}

/** A minimal OpenAPI 3.0 document for a simulator's department endpoints. */
export function openapi(title: string, paths: Record<string, unknown>): Record<string, unknown> {
  return { openapi: '3.0.3', info: { title, version: '1.0.0', description: 'Simulated department system (One-Window Hub mocks/)' }, paths };
}

/**
 * A batch answer by ID number with its confused twin (SimResponse.wrongBatch): the same answer
 * for the people asked and one more, somebody not asked about whom the department knows
 * (`known`), looked for only when the fault fires.
 */
export function batchAnswer<P extends { idNumber: string }>(asked: readonly string[], people: readonly P[], answer: (ids: string[]) => SimResponse, known: (p: P) => boolean = () => true): SimResponse {
  const wrongBatch = () => {
    const set = new Set(asked);
    return answer([...asked, people.find((p) => !set.has(p.idNumber) && known(p))!.idNumber]);
  };
  return { ...answer([...asked]), wrongBatch };
}
