/**
 * /metrics for operations: department calls by outcome (counted against what the simulators
 * received), cache lookups, breakers, GraphQL requests, the outbox's rows (against the ledger),
 * in the Prometheus text format — and nothing about any resident in it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../helpers/hub.js';

/** One sample's value from the exposition text (0 when absent). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const labelPart = line.slice(name.length).split(' ')[0]!;
    if (want.every((w) => labelPart.includes(w))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return 0;
}

describe('metrics', () => {
  let t: TestHub;
  beforeAll(async () => (t = await startTestHub({ env: { METRICS_TOKEN: 'scrape-secret-0123456789' } })));
  afterAll(() => t?.close());

  const scrape = async (token = 'scrape-secret-0123456789') => fetch(`${t.hub.url}/metrics`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const text = async () => (await scrape()).text();

  it('asks for the token when METRICS_TOKEN is set', async () => {
    expect((await scrape('')).status).toBe(401);
    expect((await scrape('wrong')).status).toBe(401);
    const ok = await scrape();
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toMatch(/^text\/plain/);
  });

  it('counts department calls by outcome and cache lookups, as the departments saw them', async () => {
    const [a, b] = t.sims.world.people.slice(300, 302);
    const q = `query($ids: [ID!]!) { residents(idNumbers: $ids) { name entitlements { kind } } }`;
    const before = await text();
    t.resetCounters();
    await t.gql(q, { ids: [a!.idNumber, b!.idNumber] });
    await t.gql(q, { ids: [a!.idNumber, b!.idNumber] }); // from the cache
    const civil = t.sims.sims['civil-affairs'];
    civil.configure({ down: true });
    await t.gql(q, { ids: [t.sims.world.people[303]!.idNumber] });
    civil.configure({ down: false });
    const after = await text();
    const delta = (name: string, labels: Record<string, string>) => sample(after, name, labels) - sample(before, name, labels);

    const populationCalls = t.sims.sims.population.totalCalls('persons.batch');
    expect(populationCalls).toBeGreaterThan(0);
    expect(delta('owh_department_calls_total', { department: 'population', outcome: 'ok' })).toBe(populationCalls);
    expect(delta('owh_department_call_duration_seconds_count', { department: 'population' })).toBe(populationCalls);
    // civil affairs down: every call it got was answered 503 (the read retries included)
    expect(delta('owh_department_calls_total', { department: 'civil-affairs', outcome: 'unavailable' })).toBe(civil.snapshot().statuses['503'] ?? -1);
    expect(delta('owh_cache_lookups_total', { department: 'population', result: 'hit' })).toBe(2);
    expect(delta('owh_cache_lookups_total', { department: 'population', result: 'miss' })).toBe(3);
    expect(delta('owh_graphql_requests_total', { status: '200' })).toBe(3);
    expect(sample(after, 'owh_department_breaker_open', { department: 'population' })).toBe(0);
    expect(sample(after, 'owh_department_bulkhead', { department: 'population', slot: 'active' })).toBe(0);
    for (const p of [a!, b!]) {
      expect(after).not.toContain(p.idNumber);
      expect(after).not.toContain(p.name);
    }
  });

  it('shows the outbox as the ledger has it, and the process', async () => {
    const m = await text();
    const rows = (await t.db.query<{ state: string; n: number }>('select state, count(*)::int as n from outbox group by state')).rows;
    for (const state of ['PENDING', 'SENT', 'FAILED']) expect([state, sample(m, 'owh_outbox_rows', { state })]).toEqual([state, rows.find((r) => r.state === state)?.n ?? 0]);
    expect(sample(m, 'owh_ledger_up')).toBe(1);
    expect(sample(m, 'owh_audit_spooled')).toBe(0);
    expect(sample(m, 'owh_process_resident_memory_bytes')).toBeGreaterThan(10_000_000);
  });
});
