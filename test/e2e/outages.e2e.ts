/**
 * Redis and PostgreSQL go away under a running hub and come back. Each hub here reaches the real
 * server through a TcpProxy of its own, so "going away" resets its connections and refuses new ones
 * (what a restart or a partition does) without disturbing the suites that share the server.
 * Runs when REDIS_URL / DATABASE_URL are set (as .ci/run does); the embedded stores cannot go away.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { verifyAuditLog } from '../../src/audit/log.js';
import { createHousingSimulator } from '../../mocks/housing/index.js';
import { issueCredential } from '../../src/remote/credentials.js';
import { startTestHub, until, type TestHub } from '../helpers/hub.js';
import { spawnAdapter, stopAdapter } from '../helpers/process.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';

const residentQuery = `query($id: ID!) { resident(idNumber: $id) { name entitlements { kind } sources { department { code } state } } }`;
const states = (body: any) => [...new Set((body.data.resident.sources as any[]).map((s) => s.state))];

let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const f of cleanup.reverse()) await f().catch(() => undefined);
  cleanup = [];
});

describe.skipIf(!process.env.REDIS_URL)('Redis goes away and comes back', () => {
  it('queries keep being answered (uncached, no errors), remote departments stay up, and the hub reconnects and caches again by itself', async () => {
    const proxy = await TcpProxy.start(process.env.REDIS_URL!);
    cleanup.push(() => proxy.close());
    const t: TestHub = await startTestHub({ store: 'redis', redisVia: (u) => proxy.rewrite(u), env: { REMOTE_ADAPTERS_ALLOW_HTTP: 'true', HEARTBEAT_INTERVAL_SECONDS: '1', REGISTRY_SYNC_MS: '100' } });
    cleanup.push(() => t.close());
    const [a, b, c] = t.sims.world.people.slice(0, 3);
    // A remote department too: its liveness lives in Redis.
    const housingSim = createHousingSimulator(t.sims.world);
    const housingUrl = await housingSim.listen();
    cleanup.push(() => housingSim.close());
    const adapter = await spawnAdapter({ HOUSING_URL: housingUrl, HUB_URL: t.hub.url, DEPARTMENT_CREDENTIAL: (await issueCredential(t.db, 'housing')).token });
    cleanup.push(() => stopAdapter(adapter.child, 'SIGKILL'));
    const housingStatus = async () => ((await t.gql(`{ departments { code status } }`)).body.data.departments as any[]).find((d) => d.code === 'housing')?.status;
    await until('housing is up', async () => (await housingStatus()) === 'UP');

    expect(states((await t.gql(residentQuery, { id: a!.idNumber })).body)).toEqual(['FRESH']);
    expect(states((await t.gql(residentQuery, { id: a!.idNumber })).body)).toEqual(['CACHED']);

    await proxy.cut();
    t.resetCounters();
    for (const p of [a!, b!, a!]) {
      const started = Date.now();
      const { status, body } = await t.gql(residentQuery, { id: p.idNumber });
      expect(status).toBe(200);
      expect(body.errors).toBeUndefined();
      expect(body.data.resident.name).toBe(p.name);
      expect(states(body)).toEqual(['FRESH']); // straight from the departments
      expect(Date.now() - started).toBeLessThan(5000); // not waiting for Redis
    }
    expect(t.calls().population).toBe(3); // a, b and a again: nothing came from the cache
    expect(t.logs.some((l) => l.includes('cache unavailable; answering uncached'))).toBe(true);
    // Longer than three heartbeat intervals without Redis: liveness is unknown, not "dead".
    await new Promise((r) => setTimeout(r, 3500));
    expect(await housingStatus()).toBe('UP');
    const withHousing = await t.gql(residentQuery, { id: c!.idNumber });
    expect(withHousing.body.errors).toBeUndefined();
    expect(withHousing.body.data.resident.sources.find((s: any) => s.department.code === 'housing').state).toBe('FRESH');

    await proxy.restore();
    const d = t.sims.world.people[3]!;
    await until('the hub is caching again', async () => {
      await t.gql(residentQuery, { id: d.idNumber });
      return states((await t.gql(residentQuery, { id: d.idNumber })).body).every((s) => s === 'CACHED');
    });
    expect(await housingStatus()).toBe('UP');
    expect(t.logs.some((l) => l.includes('cache available again'))).toBe(true);
    expect(proxy.connections).toBeGreaterThan(1); // it reconnected by itself
  }, 60_000);
});

describe.skipIf(!process.env.DATABASE_URL)('PostgreSQL goes away and comes back', () => {
  const submit = (t: TestHub, key: string, applicant: string) =>
    t.gql(`mutation($i: SubmitCaseInput!) { submitCase(input: $i) { case { caseNo status } problems { code } } }`, {
      i: { idempotencyKey: key, serviceItemCode: 'CA-0004', applicantIdNumber: applicant, channel: 'WINDOW', materials: [{ code: 'INCOME_PROOF', reference: `r-${key}`, form: 'ORIGINAL' }, { code: 'APPLICATION_FORM', reference: `f-${key}`, form: 'ORIGINAL' }] },
    });

  it('department data stays readable, case operations fail fast with 503 DATABASE_UNAVAILABLE, nothing is half-written, and the outbox resumes', async () => {
    const proxy = await TcpProxy.start(process.env.DATABASE_URL!);
    cleanup.push(() => proxy.close());
    const t = await startTestHub({ db: 'postgres', dbVia: (u) => proxy.rewrite(u), env: { OUTBOX_POLL_MS: '100', OUTBOX_BASE_BACKOFF_MS: '50', OUTBOX_LEASE_MS: '1000' } });
    cleanup.push(() => t.close());
    const civil = t.sims.sims['civil-affairs'];
    const adults = t.sims.world.people.filter((p) => p.age >= 18);

    // Submissions four at a time; PostgreSQL goes away once a few are in.
    const keys = adults.slice(0, 16).map(() => randomUUID());
    const answers: Awaited<ReturnType<typeof submit>>[] = [];
    let next = 0;
    const clerk = async () => {
      while (next < keys.length) {
        const i = next++;
        answers[i] = await submit(t, keys[i]!, adults[i]!.idNumber);
      }
    };
    const clerks = Promise.all([clerk(), clerk(), clerk(), clerk()]);
    await until('a few cases accepted', async () => (await t.directDb.query<{ n: number }>('select count(*)::int as n from cases')).rows[0]!.n >= 4);
    await proxy.cut();
    await clerks;
    // Some were answered, some refused; a case committed just before the cut may still have been
    // answered 503 (its answer needed the database once more): the clerk's retry with the same key settles it below.
    expect(answers.filter((a) => a.status === 503).length).toBeGreaterThan(0);
    for (const { status, body } of answers) {
      if (body.data?.submitCase) {
        expect(body.data.submitCase.problems).toEqual([]);
        continue;
      }
      expect(status).toBe(503);
      expect(body.errors.map((e: any) => e.extensions.code)).toEqual(['DATABASE_UNAVAILABLE']);
      expect(body.errors[0].message).toMatch(/nothing was changed/);
    }

    // While it is away: department data is read and shown; case operations fail fast.
    const reader = adults[40]!;
    const read = await t.gql(residentQuery, { id: reader.idNumber });
    expect(read.status).toBe(200);
    expect(read.body.data.resident.name).toBe(reader.name);
    expect(read.body.errors).toBeUndefined();
    const started = Date.now();
    const refused = await submit(t, randomUUID(), adults[20]!.idNumber);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(refused.status).toBe(503);
    expect(refused.body.errors[0].extensions.code).toBe('DATABASE_UNAVAILABLE');
    const list = await t.gql(`{ cases(first: 5) { edges { node { caseNo } } } }`);
    expect(list.body.errors[0].extensions.code).toBe('DATABASE_UNAVAILABLE');
    expect(t.hub.outbox && (await t.hub.outbox.forwardDue().catch((e) => e.name))).toBe('DatabaseUnavailableError');

    // Nothing half-written: every case row has its materials, its events and its outbox row.
    const orphans = await t.directDb.query(
      `select c.case_no from cases c
       where not exists (select 1 from outbox o where o.case_no = c.case_no)
          or not exists (select 1 from case_materials m where m.case_no = c.case_no)
          or not exists (select 1 from case_events e where e.case_no = c.case_no)`,
    );
    expect(orphans.rows).toEqual([]);

    // Back: the clerk's retries (same idempotency keys) give one case per key; the outbox forwards them all by itself.
    await proxy.restore();
    const caseNos: string[] = [];
    for (const [i, k] of keys.entries()) {
      let answer = await submit(t, k, adults[i]!.idNumber);
      if (answer.status === 503) answer = await submit(t, k, adults[i]!.idNumber); // the pool's first try may meet a dead connection
      expect(answer.body.data.submitCase.problems).toEqual([]);
      caseNos.push(answer.body.data.submitCase.case.caseNo);
    }
    expect(new Set(caseNos).size).toBe(keys.length);
    const rows = await t.directDb.query<{ n: number }>(`select count(*)::int as n from cases`);
    expect(rows.rows[0]!.n).toBe(keys.length);
    await until('every case at the department', async () => {
      const { rows: r } = await t.directDb.query<{ n: number }>(`select count(*)::int as n from outbox where state = 'ACKNOWLEDGED'`);
      return r[0]!.n === keys.length;
    });
    const atDepartment = ((await (await fetch(`${t.sims.urls['civil-affairs']}/_sim/cases`, { method: 'POST' })).json()) as any).cases as Record<string, { creations: number }>;
    for (const no of caseNos) expect(atDepartment[no]?.creations).toBe(1);
    expect(civil.totalCalls()).toBeGreaterThan(0);
    // The read while PostgreSQL was away was audited: its spooled record joined the chain.
    await until('the spooled audit record is in the chain', async () => !t.hub.audit.spooled);
    const { rows: audited } = await t.directDb.query<{ n: number }>(`select count(*)::int as n from audit_log where operation = 'query:resident' and outcome = 'OK'`);
    expect(audited[0]!.n).toBeGreaterThanOrEqual(1);
    expect((await verifyAuditLog(t.directDb)).firstBad).toBeNull();
  }, 60_000);
});
