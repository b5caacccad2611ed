import { describe, expect, it } from 'vitest';
import type { Adapter, CallContext, DepartmentData } from '../../adapters/contract.js';
import { ContractViolationError, MalformedResponseError, RateLimitedError, UpstreamTimeoutError, UpstreamUnavailableError } from '../../adapters/errors.js';
import { MemoryStore } from '../../src/cache/store.js';
import { CacheKeys, DepartmentGateway, type GatewayOptions, type Sourced } from '../../src/departments/gateway.js';
import { createLogger } from '../../src/log.js';

const OPTIONS: GatewayOptions = { cacheEnabled: true, timeoutMs: 200, rateLimitRetries: 2, maxRetryAfterMs: 1000, negativeTtlSeconds: 60, staleIfErrorSeconds: 3600, maxTtlSeconds: 0, breakerFailures: 3, breakerOpenMs: 50, readRetries: 0, retryBaseMs: 5, maxWaiting: 64 };

/** An in-process department that records every batch it receives. */
function fakeAdapter(answer: (ids: readonly string[], call: number, ctx: CallContext) => Promise<Array<DepartmentData | null | Error>> | Array<DepartmentData | null | Error>, batchLimit = 3, ttl = 60) {
  const batches: string[][] = [];
  const adapter: Adapter = {
    department: { code: 'fake', name: '测试' },
    contractVersion: '1',
    maxConcurrency: 2,
    fetchers: { f: { batchLimit, cacheTtlSeconds: ttl, batch: async (ids, ctx) => (batches.push([...ids]), answer(ids, batches.length, ctx)) } },
    capabilities: { entitlements: 'f' },
    health: () => ({ status: 'UP' }),
  };
  return { adapter, batches };
}

const ent = (id: string): DepartmentData => ({ entitlements: [{ id: `e-${id}`, kind: `K-${id}`, name: 'n', status: 'ACTIVE' }] });
const ctx = (signal: AbortSignal): CallContext => ({ signal, requestId: 'r', operator: 'o', purpose: 'p', residents: async (ids) => ids.map(() => null) });
const silent = createLogger('error', () => undefined);

function gateway(adapter: Adapter, options: Partial<GatewayOptions> = {}, store = new MemoryStore()) {
  return { gw: new DepartmentGateway(adapter, store, new CacheKeys('k'.repeat(32), 't:'), { ...OPTIONS, ...options }, silent), store };
}

describe('DepartmentGateway', () => {
  it('splits keys into the batch limit, keeps order, and caches every answer', async () => {
    const { adapter, batches } = fakeAdapter((ids) => ids.map(ent));
    const { gw } = gateway(adapter);
    const ids = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
    const first = (await gw.load('f', ids, ctx)) as Sourced[];
    expect(batches).toEqual([['a', 'b', 'c'], ['d', 'e', 'f'], ['g']]);
    expect(first.map((s) => s.data?.entitlements?.[0]?.kind)).toEqual(ids.map((i) => `K-${i}`));
    expect(first.every((s) => s.state === 'FRESH')).toBe(true);
    const second = (await gw.load('f', ['g', 'a'], ctx)) as Sourced[];
    expect(batches).toHaveLength(3);
    expect(second.map((s) => [s.state, s.data?.entitlements?.[0]?.kind])).toEqual([['CACHED', 'K-g'], ['CACHED', 'K-a']]);
  });

  it('replaces entitlement ids by opaque, stable ones that do not reveal the resident', async () => {
    const id = '11010519491231002X';
    const { adapter } = fakeAdapter((ids) => ids.map((k) => ({ entitlements: [{ id: `DB-${k}`, kind: 'K', name: 'n', status: 'ACTIVE' }] })));
    const a = ((await gateway(adapter).gw.load('f', [id], ctx))[0] as Sourced).data!.entitlements![0]!.id;
    const b = ((await gateway(adapter).gw.load('f', [id], ctx))[0] as Sourced).data!.entitlements![0]!.id;
    expect(a).toBe(b);
    expect(a).not.toContain(id);
    expect(a).not.toContain('DB');
  });

  it('remembers people the department does not know (negative caching)', async () => {
    const { adapter, batches } = fakeAdapter((ids) => ids.map(() => null));
    const { gw } = gateway(adapter);
    await gw.load('f', ['x'], ctx);
    const again = (await gw.load('f', ['x'], ctx)) as Sourced[];
    expect(batches).toHaveLength(1);
    expect(again[0]).toMatchObject({ state: 'CACHED', data: null });
  });

  it('turns a wrong-length answer into an error in every slot', async () => {
    const { adapter } = fakeAdapter((ids) => ids.slice(1).map(ent));
    const { gw } = gateway(adapter);
    const out = await gw.load('f', ['a', 'b'], ctx);
    expect(out).toHaveLength(2);
    for (const slot of out) expect(slot).toBeInstanceOf(ContractViolationError);
  });

  it('refuses a resident record placed in another key’s slot', async () => {
    const { adapter } = fakeAdapter((ids) => ids.map((_, i) => ({ resident: { idNumber: ids[ids.length - 1 - i]!, name: 'n', gender: 'MALE', birthDate: '2000-01-01' } })));
    adapter.capabilities = { residents: 'f' };
    const { gw } = gateway(adapter);
    const out = await gw.load('f', ['a', 'b'], ctx);
    expect(out[0]).toBeInstanceOf(MalformedResponseError);
    expect(out[1]).toBeInstanceOf(MalformedResponseError);
  });

  it('refuses malformed data but keeps the good slots', async () => {
    const { adapter } = fakeAdapter((ids) => ids.map((id) => (id === 'bad' ? ({ entitlements: [{ id: 1, kind: 'K' }] } as unknown as DepartmentData) : ent(id))));
    const { gw } = gateway(adapter);
    const out = await gw.load('f', ['ok', 'bad'], ctx);
    expect((out[0] as Sourced).state).toBe('FRESH');
    expect(out[1]).toBeInstanceOf(MalformedResponseError);
  });

  it('serves an expired entry as STALE when the department fails, and errors without one', async () => {
    let fail = false;
    const { adapter } = fakeAdapter((ids) => (fail ? Promise.reject(new UpstreamUnavailableError('fake', 'down')) : ids.map(ent)), 3, 0);
    const { gw } = gateway(adapter);
    await gw.load('f', ['a'], ctx);
    fail = true;
    const out = await gw.load('f', ['a', 'b'], ctx);
    expect(out[0]).toMatchObject({ state: 'STALE', data: { entitlements: [{ kind: 'K-a' }] } });
    expect(out[1]).toBeInstanceOf(UpstreamUnavailableError);
  });

  it('times out a department that does not answer and aborts its signal', async () => {
    let seen: AbortSignal | undefined;
    const { adapter } = fakeAdapter((_ids, _n, c) => {
      seen = c.signal;
      return new Promise(() => undefined);
    });
    const { gw } = gateway(adapter, { timeoutMs: 50 });
    const out = await gw.load('f', ['a'], ctx);
    expect(out[0]).toBeInstanceOf(UpstreamTimeoutError);
    expect(seen?.aborted).toBe(true);
  });

  it('waits out Retry-After for rate-limited keys only, then repeats them', async () => {
    const { adapter, batches } = fakeAdapter((ids, call) => ids.map((id) => (call <= 2 && id === 'b' ? new RateLimitedError('fake', 30) : ent(id))), 1);
    const { gw } = gateway(adapter);
    const started = Date.now();
    const out = (await gw.load('f', ['a', 'b'], ctx)) as Sourced[];
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
    expect(batches).toEqual([['a'], ['b'], ['b']]);
    expect(out.map((s) => s.state)).toEqual(['FRESH', 'FRESH']);
  });

  it('repeats a read the department could not serve, after a jittered pause; not a malformed one', async () => {
    const { adapter, batches } = fakeAdapter((ids, call) => (call === 1 ? Promise.reject(new UpstreamUnavailableError('fake', 'HTTP 503')) : ids.map(ent)));
    const { gw } = gateway(adapter, { readRetries: 1, cacheEnabled: false });
    const out = (await gw.load('f', ['a'], ctx)) as Sourced[];
    expect(out[0]!.state).toBe('FRESH');
    expect(batches).toHaveLength(2);
    const bad = fakeAdapter(() => Promise.reject(new MalformedResponseError('fake', 'garbage')));
    const g2 = gateway(bad.adapter, { readRetries: 1, cacheEnabled: false }).gw;
    expect((await g2.load('f', ['a'], ctx))[0]).toBeInstanceOf(MalformedResponseError);
    expect(bad.batches).toHaveLength(1);
  });

  it('does not wait longer than maxRetryAfterMs', async () => {
    const { adapter, batches } = fakeAdapter((ids) => ids.map(() => new RateLimitedError('fake', 60_000)), 1);
    const { gw } = gateway(adapter, { maxRetryAfterMs: 100 });
    const out = await gw.load('f', ['a'], ctx);
    expect(out[0]).toBeInstanceOf(RateLimitedError);
    expect(batches).toHaveLength(1);
  });

  it('opens the circuit after consecutive failures: DOWN, no calls, STALE from the cache; one trial later closes it', async () => {
    let fail = false;
    const { adapter, batches } = fakeAdapter((ids) => (fail ? Promise.reject(new UpstreamUnavailableError('fake', 'down')) : ids.map(ent)), 3, 0);
    const { gw } = gateway(adapter);
    await gw.load('f', ['cached'], ctx);
    expect(gw.status()).toBe('UP');
    fail = true;
    for (let i = 0; i < 3; i++) await gw.load('f', ['a'], ctx);
    expect(gw.status()).toBe('DOWN');
    expect(gw.breaker.state).toBe('OPEN');
    const callsWhenOpened = batches.length;
    const whileOpen = await gw.load('f', ['cached', 'b'], ctx);
    expect(batches).toHaveLength(callsWhenOpened); // the department is left alone
    expect(whileOpen[0]).toMatchObject({ state: 'STALE' });
    expect((whileOpen[1] as Error).message).toMatch(/circuit open/);
    fail = false;
    await new Promise((r) => setTimeout(r, 60)); // breakerOpenMs
    expect(gw.status()).toBe('DEGRADED'); // half-open
    await gw.load('f', ['c'], ctx); // the trial succeeds
    expect(batches).toHaveLength(callsWhenOpened + 1);
    expect(gw.breaker.state).toBe('CLOSED');
    expect(gw.status()).toBe('DEGRADED');
    expect(gw.status(Date.now() + 61_000)).toBe('UP');
  });

  it('a failed trial opens the circuit again', async () => {
    const { adapter, batches } = fakeAdapter(() => Promise.reject(new UpstreamUnavailableError('fake', 'down')));
    const { gw } = gateway(adapter, { cacheEnabled: false });
    for (let i = 0; i < 3; i++) await gw.load('f', ['a'], ctx);
    await new Promise((r) => setTimeout(r, 60));
    await gw.load('f', ['a'], ctx);
    expect(batches).toHaveLength(4);
    expect(gw.breaker.state).toBe('OPEN');
    await gw.load('f', ['a'], ctx);
    expect(batches).toHaveLength(4);
  });

  it('answers uncached when the store fails', async () => {
    const { adapter, batches } = fakeAdapter((ids) => ids.map(ent));
    const broken = new MemoryStore();
    broken.mget = async () => Promise.reject(new Error('store down'));
    broken.mset = async () => Promise.reject(new Error('store down'));
    const { gw } = gateway(adapter, {}, broken);
    const out = (await gw.load('f', ['a'], ctx)) as Sourced[];
    expect(out[0]!.state).toBe('FRESH');
    await gw.load('f', ['a'], ctx);
    expect(batches).toHaveLength(2);
  });

  it('invalidates every fetcher entry of a person, and keys never contain the ID number', async () => {
    const { adapter, batches } = fakeAdapter((ids) => ids.map(ent));
    const { gw, store } = gateway(adapter);
    const id = '11010519491231002X';
    await gw.load('f', [id], ctx);
    const keys = new CacheKeys('k'.repeat(32), 't:');
    const key = keys.data('fake', 'f', keys.subject(id));
    expect(key).not.toContain(id);
    expect((await store.mget([key]))[0]).not.toBeNull();
    await gw.invalidate([id]);
    expect((await store.mget([key]))[0]).toBeNull();
    await gw.load('f', [id], ctx);
    expect(batches).toHaveLength(2);
  });
});

describe('the bulkhead (bounded calls per department)', () => {
  it('keeps at most maxConcurrency calls in flight, refuses waiters beyond maxWaiting at once, and does not count them against the breaker', async () => {
    let inFlight = 0;
    let most = 0;
    const { adapter, batches } = fakeAdapter(async (ids) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((r) => setTimeout(r, 60));
      inFlight--;
      return ids.map(ent);
    }, 1);
    const { gw } = gateway(adapter, { cacheEnabled: false, maxConcurrency: 2, maxWaiting: 1, timeoutMs: 1000, breakerFailures: 1 });
    const answers = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((id) => gw.load('f', [id], ctx)));
    expect(most).toBe(2);
    expect(batches).toHaveLength(3); // two running, one waiting; two refused without a call
    const refused = answers.map((a) => a[0]).filter((a) => a instanceof UpstreamTimeoutError) as Error[];
    expect(refused).toHaveLength(2);
    expect(refused[0]!.message).toMatch(/busy: 2 calls running and 1 waiting/);
    expect(gw.breaker.state).toBe('CLOSED');
    expect(gw.bulkhead).toEqual({ active: 0, waiting: 0 });
  });

  it('a waiter gives up after the department timeout when no slot comes free', async () => {
    const { adapter } = fakeAdapter(async (ids, _n, c) => {
      await new Promise((r) => setTimeout(r, 300));
      return c.signal.aborted ? ids.map(() => new UpstreamTimeoutError('fake', 'late')) : ids.map(ent);
    }, 1);
    const { gw } = gateway(adapter, { cacheEnabled: false, maxConcurrency: 1, maxWaiting: 10, timeoutMs: 100, breakerFailures: 100 });
    const started = Date.now();
    // Each call holds the one slot up to its 100 ms timeout, so the third in line cannot get it within 100 ms.
    const [first, , third] = await Promise.all([gw.load('f', ['a'], ctx), gw.load('f', ['b'], ctx), gw.load('f', ['c'], ctx)]);
    expect(first[0]).toBeInstanceOf(UpstreamTimeoutError);
    expect((third[0] as Error).message).toMatch(/no call slot came free within 100 ms/);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(gw.policy.maxConcurrency).toBe(1);
  });
});

describe('per-department policy from the environment', () => {
  it('DEPT_<CODE>_<SETTING> overrides the hub-wide value for that department only; a misspelt one stops the start', async () => {
    const { loadConfig } = await import('../../src/config.js');
    const c = loadConfig({ DEPARTMENT_TIMEOUT_MS: '2000', DEPT_CIVIL_AFFAIRS_TIMEOUT_MS: '4000', DEPT_CIVIL_AFFAIRS_MAX_RETRY_AFTER_MS: '9000', DEPT_HEALTH_MAX_CONCURRENCY: '2' });
    expect(c.departments.timeoutMs).toBe(2000);
    expect(c.departments.policies).toEqual({ 'civil-affairs': { timeoutMs: 4000, maxRetryAfterMs: 9000 }, health: { maxConcurrency: 2 } });
    expect(() => loadConfig({ DEPT_HEALTH_TIMEOUT: '5' })).toThrow(/DEPT_HEALTH_TIMEOUT is not a department setting/);
    expect(() => loadConfig({ DEPT_HEALTH_MAX_CONCURRENCY: '0' })).toThrow(/DEPT_HEALTH_MAX_CONCURRENCY must be an integer ≥ 1/);
  });
});
