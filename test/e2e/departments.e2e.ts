/**
 * Department behaviour over real HTTP: change feeds, failures, GBK, token expiry, rate limits.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { STORES, startTestHub, type TestHub } from '../helpers/hub.js';

const ENTITLEMENTS = `query($id: ID!) { resident(idNumber: $id) {
  name entitlements { kind status monthlyAmount department { code } }
  designatedHospitals { code }
  sources { department { code } state error }
} }`;

const stateOf = (body: any, code: string) => body.data.resident.sources.find((s: any) => s.department.code === code)?.state;

describe.each(STORES)('departments over HTTP (%s cache)', (store) => {
  let t: TestHub;
  beforeAll(async () => (t = await startTestHub({ store, env: { CACHE_MAX_TTL_SECONDS: '1' } })));
  afterAll(() => t?.close());
  afterEach(() => {
    for (const s of Object.values(t.sims.sims)) s.configure({ down: false, garbageRate: 0, latencyMs: 0 });
  });

  it('a change in a department feed makes the next query fresh', async () => {
    const p = t.sims.world.people.find((x) => x.age >= 80 && x.civil.benefits.some((b) => b.kind === 'OLD_AGE_ALLOWANCE' && b.status === 'ACTIVE'))!;
    const first = await t.gql(ENTITLEMENTS, { id: p.idNumber });
    expect(first.body.data.resident.entitlements.find((e: any) => e.kind === 'OLD_AGE_ALLOWANCE').status).toBe('ACTIVE');

    await fetch(`${t.sims.urls['civil-affairs']}/_sim/mutate`, { method: 'POST', body: JSON.stringify({ idNumber: p.idNumber, kind: 'OLD_AGE_ALLOWANCE', status: 'SUSPENDED' }) });
    t.resetCounters();
    expect(await t.hub.changes.pollOnce()).toBeGreaterThanOrEqual(1);
    const second = await t.gql(ENTITLEMENTS, { id: p.idNumber });
    expect(second.body.data.resident.entitlements.find((e: any) => e.kind === 'OLD_AGE_ALLOWANCE').status).toBe('SUSPENDED');
    expect(stateOf(second.body, 'civil-affairs')).toBe('FRESH');
    expect(stateOf(second.body, 'population')).toBe('CACHED');
    expect(t.sims.sims['civil-affairs'].snapshot().calls['person.query']).toBe(1);
    expect(t.sims.sims.population.snapshot().calls['persons.batch'] ?? 0).toBe(0);
    // the cursor moved: polling again invalidates nothing
    expect(await t.hub.changes.pollOnce()).toBe(0);
  });

  it('a department that is down gives partial data: UNAVAILABLE, a DEPARTMENT_UNAVAILABLE error, the rest intact', async () => {
    const p = t.sims.world.people.find((x, i) => i > 300 && x.civil.benefits.length > 0 && (x.medical?.hospitalCodes.length ?? 0) > 0)!; // not cached by an earlier test
    t.sims.sims['civil-affairs'].configure({ down: true });
    const { status, body } = await t.gql(ENTITLEMENTS, { id: p.idNumber });
    expect(status).toBe(200);
    expect(body.data.resident.name).toBe(p.name);
    expect(body.data.resident.designatedHospitals.map((h: any) => h.code)).toEqual(p.medical!.hospitalCodes);
    expect(body.data.resident.entitlements.some((e: any) => e.department.code === 'civil-affairs')).toBe(false);
    expect(body.data.resident.entitlements.length).toBe((p.socialInsurance?.benefits.length ?? 0) + (p.medical?.benefits.length ?? 0) + p.health.benefits.length + (p.disability?.benefits.length ?? 0));
    expect(stateOf(body, 'civil-affairs')).toBe('UNAVAILABLE');
    expect(stateOf(body, 'medical-insurance')).toBe('FRESH');
    expect(body.errors).toHaveLength(1);
    expect(body.errors[0]).toMatchObject({ extensions: { code: 'DEPARTMENT_UNAVAILABLE', department: 'civil-affairs' }, path: ['resident', 'entitlements'] });
    expect(body.errors[0].message).not.toContain('127.0.0.1');
    expect(body.errors[0].message).not.toContain(p.idNumber);
  });

  it('serves an expired entry as STALE while the department is down', async () => {
    const p = t.sims.world.people[40]!;
    await t.gql(ENTITLEMENTS, { id: p.idNumber });
    await new Promise((r) => setTimeout(r, 1100)); // CACHE_MAX_TTL_SECONDS=1
    t.sims.sims['disabled-persons'].configure({ down: true });
    const { body } = await t.gql(ENTITLEMENTS, { id: p.idNumber });
    expect(stateOf(body, 'disabled-persons')).toBe('STALE');
    expect(stateOf(body, 'civil-affairs')).toBe('FRESH');
    expect(body.errors).toBeUndefined();
  });

  it('contains a department answering garbage, and recovers when it stops', async () => {
    const p = t.sims.world.people[41]!;
    t.sims.sims['disabled-persons'].configure({ garbageRate: 1 });
    const bad = await t.gql(ENTITLEMENTS, { id: p.idNumber });
    expect(stateOf(bad.body, 'disabled-persons')).toBe('UNAVAILABLE');
    expect(bad.body.errors[0].extensions).toMatchObject({ code: 'DEPARTMENT_UNAVAILABLE', department: 'disabled-persons' });
    expect(bad.body.data.resident.name).toBe(p.name);
    t.sims.sims['disabled-persons'].configure({ garbageRate: 0 });
    const good = await t.gql(ENTITLEMENTS, { id: p.idNumber });
    expect(stateOf(good.body, 'disabled-persons')).toBe('FRESH');
  });

  it('the population registry down: null resident with its error; other residents unaffected by other departments', async () => {
    const p = t.sims.world.people[42]!;
    t.sims.sims.population.configure({ down: true });
    const { body } = await t.gql(ENTITLEMENTS, { id: p.idNumber });
    expect(body.data.resident).toBeNull();
    expect(body.errors[0].extensions).toMatchObject({ code: 'DEPARTMENT_UNAVAILABLE', department: 'population' });
  });

  it('reads every page of the payment records and filters by month', async () => {
    const p = t.sims.world.people.find((x) => x.socialInsurance?.status === '参保缴费' && x.socialInsurance.monthsPaid >= 36 && x.socialInsurance.insuranceTypes.length === 5)!;
    t.resetCounters();
    const { body } = await t.gql(`query($id: ID!) { resident(idNumber: $id) { all: paymentRecords { month insuranceType personalAmount paid } some: paymentRecords(from: "2026-01-01", to: "2026-03-31") { month } } }`, { id: p.idNumber });
    expect(body.data.resident.all).toHaveLength(36 * 5);
    expect(new Set(body.data.resident.some.map((r: any) => r.month))).toEqual(new Set(['2026-01', '2026-02', '2026-03']));
    expect(t.sims.sims['social-insurance'].snapshot().calls.payments).toBe(4); // 180 records, 50 a page
  });

  it('tells every department who asks and why (X-Operator-Id, X-Purpose)', async () => {
    const p = t.sims.world.people[45]!;
    t.resetCounters();
    await t.gql(ENTITLEMENTS, { id: p.idNumber }, { 'x-purpose': 'case-intake' });
    for (const sim of Object.values(t.sims.sims)) {
      // the token handshake is the session's, not a request's
      const callers = Object.keys(sim.snapshot().callers).filter((k) => !k.startsWith('auth.token:'));
      expect(callers.length, sim.code).toBeGreaterThan(0);
      for (const c of callers) expect(c.split(':').slice(1).join(':'), `${sim.code} ${c}`).toBe('test-admin|case-intake');
    }
  });

  it('decodes the GBK XML of civil affairs into correct Chinese', async () => {
    const p = t.sims.world.people.find((x) => x.civil.benefits.some((b) => b.kind === 'LOW_INCOME_ALLOWANCE'))!;
    const { body } = await t.gql(`query($id: ID!) { resident(idNumber: $id) { entitlements(department: "civil-affairs") { kind name monthlyAmount details } } }`, { id: p.idNumber });
    const e = body.data.resident.entitlements.find((x: any) => x.kind === 'LOW_INCOME_ALLOWANCE');
    expect(e.name).toBe('城市最低生活保障');
    expect(e.monthlyAmount).toBe(p.civil.benefits.find((b) => b.kind === 'LOW_INCOME_ALLOWANCE')!.monthlyAmount);
    expect(e.details.maritalStatus).toBe(p.civil.marriage);
  });
});

describe('social-insurance token expiring mid-run', () => {
  let t: TestHub;
  beforeAll(async () => (t = await startTestHub({ sims: { faults: false, world: { count: 500 }, socialInsurance: { tokenTtlSeconds: 1 } }, env: { CACHE_ENABLED: 'false' } })));
  afterAll(() => t?.close());

  it('gets a new token when the department says the old one expired, and the query succeeds', async () => {
    const q = `query($ids: [ID!]!) { residents(idNumbers: $ids) { socialInsurance { personNo } } }`;
    const ids = t.sims.world.people.filter((p) => p.socialInsurance).slice(0, 5).map((p) => p.idNumber);
    const first = await t.gql(q, { ids });
    expect(first.body.errors).toBeUndefined();
    await new Promise((r) => setTimeout(r, 1200));
    const second = await t.gql(q, { ids });
    expect(second.body.errors).toBeUndefined();
    expect(second.body.data.residents.map((r: any) => r.socialInsurance.personNo)).toEqual(ids.map((id) => t.sims.world.byId.get(id)!.socialInsurance!.personNo));
    const si = t.sims.sims['social-insurance'].snapshot();
    expect(si.calls['auth.token']).toBe(2);
    expect(si.statuses['401']).toBe(1);
    expect(si.calls['person.query']).toBe(3); // ok, expired (401), repeated with the new token
  });
});

describe('medical insurance rate limit', () => {
  let t: TestHub;
  beforeAll(async () => (t = await startTestHub({ sims: { faults: false, world: { count: 500 }, medical: { ratePerSecond: 5, burst: 5 } } })));
  afterAll(() => t?.close());

  it('honours 429 Retry-After: waits, repeats only the refused people, and answers everyone', async () => {
    const people = t.sims.world.people.filter((p) => p.medical).slice(0, 8);
    const started = Date.now();
    const { body } = await t.gql(`query($ids: [ID!]!) { residents(idNumbers: $ids) { designatedHospitals { code } } }`, { ids: people.map((p) => p.idNumber) });
    expect(body.errors).toBeUndefined();
    expect(body.data.residents.map((r: any) => r.designatedHospitals.map((h: any) => h.code))).toEqual(people.map((p) => p.medical!.hospitalCodes));
    const mi = t.sims.sims['medical-insurance'].snapshot();
    expect(mi.statuses['429']).toBe(3);
    expect(mi.statuses['200']).toBe(8);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000); // Retry-After: 1
  });
});
