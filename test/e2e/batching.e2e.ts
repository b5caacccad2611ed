/**
 * Batching and caching, proved with the simulators' own counters over real HTTP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORES, startTestHub, type TestHub } from '../helpers/hub.js';

const FULL = `query($ids: [ID!]!) { residents(idNumbers: $ids) {
  idNumber name age
  entitlements { id kind status department { code } }
  socialInsurance { personNo }
  medicalInsurance { scheme }
  designatedHospitals { code }
  disabilityCertificate { certificateNo grade }
  sources { department { code } state }
} }`;

describe.each(STORES)('batching and caching (%s cache)', (store) => {
  let t: TestHub;
  let ids: string[];
  beforeAll(async () => {
    t = await startTestHub({ store });
    ids = t.sims.world.people.slice(0, 100).map((p) => p.idNumber);
  });
  afterAll(() => t?.close());

  it('100 residents cost ceil(100 / batch limit) calls per batching department, one per person at medical insurance', async () => {
    t.resetCounters();
    t.sims.sims['medical-insurance'].configure({ latencyMs: 10 }); // so that concurrent calls overlap
    const { status, body } = await t.gql(FULL, { ids });
    t.sims.sims['medical-insurance'].configure({ latencyMs: 0 });
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(body.data.residents.map((r: any) => r.idNumber)).toEqual(ids);

    const s = t.sims.sims;
    expect(s.population.snapshot().batches['persons.batch']).toEqual([50, 50]);
    expect(s['social-insurance'].snapshot().batches['person.query']).toEqual([100]);
    expect(s['social-insurance'].snapshot().calls['auth.token']).toBe(1);
    expect(s['civil-affairs'].snapshot().batches['person.query']).toEqual([20, 20, 20, 20, 20]);
    expect(s.health.snapshot().batches['members.query']!.sort()).toEqual([10, 30, 30, 30].sort());
    expect(s['disabled-persons'].snapshot().batches['certificates.query']).toEqual([50, 50]);
    const medical = s['medical-insurance'].snapshot();
    expect(medical.calls['insured.get']).toBe(100);
    expect(medical.maxInFlight).toBeGreaterThan(1);
    expect(medical.maxInFlight).toBeLessThanOrEqual(t.hub.registry.get('medical-insurance')!.adapter.maxConcurrency);

    // the values are the departments' values, joined on the right person
    const world = t.sims.world;
    for (const r of body.data.residents) {
      const p = world.byId.get(r.idNumber)!;
      expect(r.name).toBe(p.name);
      expect(r.disabilityCertificate?.certificateNo ?? null).toBe(p.disability?.certificateNo ?? null);
      expect(r.socialInsurance?.personNo ?? null).toBe(p.socialInsurance?.personNo ?? null);
      expect(r.designatedHospitals.map((h: any) => h.code)).toEqual(p.medical?.hospitalCodes ?? []);
      const expectedKinds = [...(p.socialInsurance?.benefits ?? []), ...(p.medical?.benefits ?? []), ...p.civil.benefits, ...p.health.benefits, ...(p.disability?.benefits ?? [])].map((b) => b.kind).sort();
      expect(r.entitlements.map((e: any) => e.kind).sort()).toEqual(expectedKinds);
      expect(r.sources.map((x: any) => x.state)).toEqual(Array(6).fill('FRESH'));
    }
  });

  it('the same query again costs zero department calls and says CACHED', async () => {
    t.resetCounters();
    const { body } = await t.gql(FULL, { ids });
    expect(body.errors).toBeUndefined();
    expect(t.calls()).toEqual({ population: 0, 'social-insurance': 0, 'medical-insurance': 0, 'civil-affairs': 0, health: 0, 'disabled-persons': 0 });
    expect(body.data.residents[0].sources.map((x: any) => x.state)).toEqual(Array(6).fill('CACHED'));
  });

  it('asks each department once per person within one request, however many fields use it', async () => {
    const id = t.sims.world.people[150]!.idNumber;
    t.resetCounters();
    await t.gql(`query($id: ID!) { a: resident(idNumber: $id) { name designatedHospitals { code } medicalInsurance { scheme } } b: resident(idNumber: $id) { entitlements { kind } } }`, { id });
    expect(t.sims.sims['medical-insurance'].snapshot().calls['insured.get']).toBe(1);
    expect(t.sims.sims.population.snapshot().calls['persons.batch']).toBe(1);
  });

  it('remembers an unknown resident (negative caching): null, and no second registry call', async () => {
    const unknown = '11010519491231002X';
    expect(t.sims.world.byId.has(unknown)).toBe(false);
    t.resetCounters();
    const first = await t.gql(`query($id: ID!) { resident(idNumber: $id) { name } }`, { id: unknown });
    expect(first.body).toEqual({ data: { resident: null } });
    await t.gql(`query($id: ID!) { resident(idNumber: $id) { name } }`, { id: unknown });
    expect(t.sims.sims.population.snapshot().calls['persons.batch']).toBe(1);
  });

  it('writes no raw ID number into cache keys', async () => {
    if (store !== 'redis') return;
    const client = (t.store as import('../../src/cache/redis.js').RedisStore).client;
    const keys: string[] = [];
    for await (const batch of client.scanStream({ match: `${t.prefix}*`, count: 1000 })) keys.push(...(batch as string[]));
    expect(keys.length).toBeGreaterThan(100);
    for (const k of keys) expect(k).not.toMatch(/\d{17}[\dX]/);
    // and the cached department data is encrypted: no name, no ID number, no JSON
    const values = await client.mget(...keys.filter((k) => k.startsWith(`${t.prefix}d:`)).slice(0, 50));
    expect(values.length).toBe(50);
    const p = t.sims.world.people[0]!;
    for (const v of values.filter((x): x is string => x !== null)) {
      expect(v).toMatch(/^v1\./);
      expect(v).not.toContain(p.name);
      expect(v).not.toMatch(/\d{17}[\dX]/);
    }
  });
});

describe('with batching and caching switched off', () => {
  let t: TestHub;
  beforeAll(async () => (t = await startTestHub({ env: { BATCHING_ENABLED: 'false', CACHE_ENABLED: 'false' } })));
  afterAll(() => t?.close());

  it('costs one call per person per department, every time', async () => {
    const ids = t.sims.world.people.slice(0, 10).map((p) => p.idNumber);
    t.resetCounters();
    await t.gql(`query($ids: [ID!]!) { residents(idNumbers: $ids) { entitlements { kind } } }`, { ids });
    await t.gql(`query($ids: [ID!]!) { residents(idNumbers: $ids) { entitlements { kind } } }`, { ids });
    expect(t.sims.sims.population.snapshot().batches['persons.batch']).toEqual(Array(20).fill(1));
    expect(t.sims.sims['civil-affairs'].snapshot().batches['person.query']).toEqual(Array(20).fill(1));
  });
});
