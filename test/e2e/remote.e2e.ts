/**
 * A new department joins at run time: the housing adapter (住房保障) runs as its own process,
 * registers over the remote protocol with its department credential, and its data appears in
 * Resident.entitlements, `departments` and `sources` — batched and cached like everyone else's.
 * Deregistration and missed heartbeats make it DOWN. Bad registrations are refused.
 */
import { execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHousingSimulator, housingOf } from '../../mocks/housing/index.js';
import type { Simulator } from '../../mocks/sim/simulator.js';
import { PGliteDb } from '../../src/db/db.js';
import { issueCredential, verifyCredential } from '../../src/remote/credentials.js';
import { departmentUrlEnv } from '../../mocks/index.js';
import { startTestHub, until, type TestHub } from '../helpers/hub.js';
import { spawnAdapter, stopAdapter } from '../helpers/process.js';

describe('remote adapters', () => {
  let t: TestHub;
  let housingSim: Simulator;
  let housingUrl: string;
  let credential: string;
  let adapter: { child: ChildProcess; url: string; adapterId: string };
  const q = `query($id: ID!) { resident(idNumber: $id) { entitlements { kind department { code name } } sources { department { code } state } } }`;
  const departmentStatus = async (code: string) => ((await t.gql(`{ departments { code status } }`)).body.data.departments as { code: string; status: string }[]).find((d) => d.code === code)?.status;

  beforeAll(async () => {
    t = await startTestHub({ env: { REMOTE_ADAPTERS_ALLOW_HTTP: 'true', HEARTBEAT_INTERVAL_SECONDS: '1', REGISTRY_SYNC_MS: '100', CACHE_MAX_TTL_SECONDS: '1' } });
    housingSim = createHousingSimulator(t.sims.world);
    housingUrl = await housingSim.listen();
    credential = (await issueCredential(t.db, 'housing')).token;
    adapter = await spawnAdapter({ HOUSING_URL: housingUrl, HUB_URL: t.hub.url, DEPARTMENT_CREDENTIAL: credential });
  });
  afterAll(async () => {
    if (adapter) await stopAdapter(adapter.child, 'SIGKILL');
    await housingSim?.close();
    await t?.close();
  });

  it('joins without a restart: entitlements, departments and sources show housing', async () => {
    const p = t.sims.world.people.find((x) => housingOf(x).some((h) => h.type === 'RENT_SUBSIDY'))!;
    const { body } = await t.gql(q, { id: p.idNumber });
    expect(body.errors).toBeUndefined();
    expect(body.data.resident.entitlements).toContainEqual({ kind: 'RENT_SUBSIDY', department: { code: 'housing', name: '住房保障' } });
    expect(body.data.resident.sources.find((s: any) => s.department.code === 'housing').state).toBe('FRESH');
    expect(await departmentStatus('housing')).toBe('UP');
  });

  it('is batched by its declared limit and cached like the bundled departments', async () => {
    const ids = t.sims.world.people.slice(1000, 1100).map((p) => p.idNumber);
    housingSim.resetCounters();
    await t.gql(`query($ids: [ID!]!) { residents(idNumbers: $ids) { entitlements(department: "housing") { kind } } }`, { ids });
    expect([...housingSim.snapshot().batches.query!].sort((a, b) => b - a)).toEqual([40, 40, 20]); // sent concurrently: any order
    await t.gql(`query($ids: [ID!]!) { residents(idNumbers: $ids) { entitlements(department: "housing") { kind } } }`, { ids });
    expect(housingSim.snapshot().batches.query).toHaveLength(3);
  });

  it('serves its JWKS, and the adapter refuses calls without a hub token', async () => {
    const jwks = (await (await fetch(`${t.hub.url}/.well-known/jwks.json`)).json()) as any;
    expect(jwks.keys[0]).toMatchObject({ kty: 'EC', alg: 'ES256', use: 'sig' });
    expect(jwks.keys[0].d).toBeUndefined();
    const res = await fetch(`${adapter.url}/v1/entitlements:batchGet`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ idNumbers: [] }) });
    expect(res.status).toBe(401);
  });

  it('refuses bad registrations with the protocol’s codes', async () => {
    const register = (body: unknown, token = credential) => fetch(`${t.hub.url}/adapters/v1/register`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
    const good = { department: { code: 'housing', name: '住房保障' }, baseUrl: adapter.url, contractVersion: '1', capabilities: ['entitlements'] };
    const cases: [unknown, string | undefined, number, RegExp][] = [
      ['{not json', undefined, 422, /not valid JSON/],
      [{ ...good, contractVersion: '2' }, undefined, 422, /contractVersion/],
      [{ ...good, capabilities: ['teleport'] }, undefined, 422, /unknown capability/],
      [{ ...good, baseUrl: 'http://127.0.0.1:1' }, undefined, 422, /probe/],
      [{ ...good, capabilities: ['entitlements', 'cases'] }, undefined, 422, /contradicts/],
      [{ ...good, department: { code: 'civil-affairs', name: '民政' } }, undefined, 403, /credential is for housing/],
      [good, 'owhdc_AAAAAAAAAAAAAAAA_' + 'x'.repeat(43), 401, /credential/],
      [good, 'not-a-credential', 401, /credential/],
    ];
    for (const [body, token, status, message] of cases) {
      const res = await register(body, token);
      const answer = (await res.json()) as any;
      expect([res.status, answer.error.message]).toEqual([status, expect.stringMatching(message)]);
      expect(['INVALID_ARGUMENT', 'PERMISSION_DENIED', 'UNAUTHENTICATED']).toContain(answer.error.code);
    }
    // the same department and base URL again: 200 with the same id
    const again = await register(good);
    expect(again.status).toBe(200);
    expect(((await again.json()) as any).adapterId).toBe(adapter.adapterId);
  });

  it('deregistered: DOWN; cached data served STALE, the rest UNAVAILABLE', async () => {
    const cached = t.sims.world.people.find((x) => housingOf(x).length > 0 && x.idNumber !== t.sims.world.people[0]!.idNumber)!;
    await t.gql(q, { id: cached.idNumber });
    await stopAdapter(adapter.child, 'SIGTERM'); // the SDK deregisters on the way out
    await until('housing DOWN', async () => (await departmentStatus('housing')) === 'DOWN', 15_000);
    await new Promise((r) => setTimeout(r, 1100)); // past the (capped) TTL
    const stale = await t.gql(q, { id: cached.idNumber });
    expect(stale.body.data.resident.sources.find((s: any) => s.department.code === 'housing').state).toBe('STALE');
    expect(stale.body.data.resident.entitlements.some((e: any) => e.department.code === 'housing')).toBe(true);
    const fresh = t.sims.world.people[1500]!;
    const unavailable = await t.gql(q, { id: fresh.idNumber });
    expect(unavailable.body.data.resident.sources.find((s: any) => s.department.code === 'housing').state).toBe('UNAVAILABLE');
    expect(unavailable.body.errors[0].extensions).toMatchObject({ code: 'DEPARTMENT_UNAVAILABLE', department: 'housing' });
    expect(unavailable.body.data.resident.sources.find((s: any) => s.department.code === 'population').state).not.toBe('UNAVAILABLE');
  });

  it('three missed heartbeats make it DOWN', async () => {
    adapter = await spawnAdapter({ HOUSING_URL: housingUrl, HUB_URL: t.hub.url, DEPARTMENT_CREDENTIAL: credential });
    await until('housing UP again', async () => (await departmentStatus('housing')) === 'UP', 15_000);
    await stopAdapter(adapter.child, 'SIGKILL'); // no deregistration: only the heartbeats stop
    const killedAt = Date.now();
    await until('housing DOWN', async () => (await departmentStatus('housing')) === 'DOWN', 15_000);
    expect(Date.now() - killedAt).toBeGreaterThanOrEqual(1500);
  });
});

describe('the six bundled adapters, registered remotely', () => {
  let t: TestHub;
  const served: { close(): Promise<void> }[] = [];
  let dispatcher: import('undici').Agent;

  beforeAll(async () => {
    t = await startTestHub({ env: { REMOTE_ADAPTERS_ALLOW_HTTP: 'true', REGISTRY_SYNC_MS: '100' } });
    const { Agent } = await import('undici');
    const { BUNDLED_ADAPTERS } = await import('../../adapters/index.js');
    const { serveAdapter } = await import('../../adapters/sdk/serve.js');
    dispatcher = new Agent();
    const env = {
      ...departmentUrlEnv(t.sims.urls),
    };
    const population = BUNDLED_ADAPTERS[0]!.create(BUNDLED_ADAPTERS[0]!.parseConfig(env), { dispatcher });
    for (const def of BUNDLED_ADAPTERS) {
      const adapter = def.create(def.parseConfig(env), { dispatcher });
      const credential = (await issueCredential(t.db, def.department.code)).token;
      served.push(
        await serveAdapter(adapter, {
          hubUrl: t.hub.url,
          credential,
          // the health department looks households up in the registry itself
          residents: async (ids) => (await population.fetchers.persons!.batch(ids, { signal: AbortSignal.timeout(5000), requestId: 'r', operator: 'health', purpose: 'household lookup', residents: async () => [] })).map((a) => (a instanceof Error ? a : (a?.resident ?? null))),
        }),
      );
    }
  });
  afterAll(async () => {
    for (const s of served) await s.close();
    await dispatcher?.close();
    await t?.close();
  });

  it('serve the same residents, batched by their limits, through the protocol', async () => {
    const ids = t.sims.world.people.slice(0, 100).map((p) => p.idNumber);
    t.resetCounters();
    const { body } = await t.gql(`query($ids: [ID!]!) { residents(idNumbers: $ids) { idNumber name entitlements { kind department { code } } sources { department { code } state } } departments { code status } }`, { ids });
    expect(body.errors).toBeUndefined();
    expect(body.data.departments.map((d: any) => d.status)).toEqual(Array(6).fill('UP'));
    // every department is now served by a remote adapter (its fetchers are named after the protocol's capabilities)
    for (const g of t.hub.registry.all()) expect(Object.keys(g.adapter.fetchers).every((f) => ['residents', 'entitlements', 'evidence'].includes(f)), g.code).toBe(true);
    const world = t.sims.world;
    for (const r of body.data.residents) {
      const p = world.byId.get(r.idNumber)!;
      expect(r.name).toBe(p.name);
      const kinds = [...(p.socialInsurance?.benefits ?? []), ...(p.medical?.benefits ?? []), ...p.civil.benefits, ...p.health.benefits, ...(p.disability?.benefits ?? [])].map((b) => b.kind).sort();
      expect(r.entitlements.map((e: any) => e.kind).sort()).toEqual(kinds);
      expect(r.sources.every((s: any) => s.state === 'FRESH')).toBe(true);
    }
    const s = t.sims.sims;
    expect(s.population.snapshot().batches['persons.batch']!.filter((n) => n === 50).length).toBeGreaterThanOrEqual(2); // + the health department's own household lookups
    expect(s['civil-affairs'].snapshot().batches['person.query']).toEqual([20, 20, 20, 20, 20]);
    expect(s['medical-insurance'].snapshot().calls['insured.get']).toBe(100);
  });
});

describe('department credentials from the command line', () => {
  it('rotation: issue a second, list both, revoke the first — the old one is refused, the new one verified, no secret listed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'owh-credentials-'));
    const cli = (...args: string[]) =>
      new Promise<{ code: number; out: string }>((resolve) => {
        execFile(process.execPath, ['dist/scripts/credentials.js', ...args], { env: { ...process.env, DATA_DIR: dir, DATABASE_URL: '' } }, (err, stdout) => resolve({ code: err ? ((err as any).code ?? 1) : 0, out: stdout }));
      });
    try {
      const issue = async () => {
        const { code, out } = await cli('issue', 'housing', '30');
        expect(code).toBe(0);
        const [, id, token] = /\(id (\w+), valid until [\d-]+\); shown once:\n(owhdc_\S+)\n/.exec(out)!;
        return { id: id!, token: token! };
      };
      const old = await issue();
      const fresh = await issue();
      const listed = await cli('list', 'housing');
      expect(listed.out.trim().split('\n')).toHaveLength(2);
      for (const { id } of [old, fresh]) expect(listed.out).toMatch(new RegExp(`^${id}  housing  issued [\\d-]+  expires [\\d-]+  active$`, 'm'));
      expect(listed.out).not.toContain(old.token.split('_')[2]);
      expect(await cli('revoke', old.id)).toEqual({ code: 0, out: `revoked ${old.id}\n` });
      expect(await cli('revoke', old.id)).toEqual({ code: 0, out: `no active credential ${old.id}\n` });
      const after = (await cli('list')).out;
      expect(after).toMatch(new RegExp(`^${old.id}  housing  .*  revoked [\\d-]+$`, 'm'));
      expect(after).toMatch(new RegExp(`^${fresh.id}  housing  .*  active$`, 'm'));
      expect((await cli('rotate', 'housing')).code).toBe(2);
      const db = await PGliteDb.open(dir);
      try {
        expect(await verifyCredential(db, `Bearer ${old.token}`)).toBeNull();
        expect(await verifyCredential(db, `Bearer ${fresh.token}`)).toEqual({ id: fresh.id, department: 'housing' });
      } finally {
        await db.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
