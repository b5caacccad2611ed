/**
 * SIGTERM to a running hub process: it stops accepting connections, lets the requests in flight
 * and the outbox's call in hand finish, closes its stores and exits 0. Past SHUTDOWN_DEADLINE_MS
 * it cuts what is left, hands the outbox row back (PENDING, due now) and exits 1; a second
 * SIGTERM exits at once.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { departmentUrlEnv, startSimulators, type RunningSimulators } from '../../mocks/index.js';
import { DevIssuer } from '../../src/auth/dev-issuer.js';
import { PGliteDb } from '../../src/db/db.js';
import { personalDataIn, until } from '../helpers/hub.js';
import { kill, spawnHub, type HubProcess } from '../helpers/process.js';

describe('graceful shutdown', () => {
  let sims: RunningSimulators;
  const dirs: string[] = [];
  const keyFile = join(tmpdir(), `owh-shutdown-issuer-${randomUUID()}.json`);
  beforeAll(async () => {
    sims = await startSimulators({ faults: false, world: { count: 300 } });
    sims.sims['civil-affairs'].configure({}, { caseReviewAfterMs: 60_000, caseDecideAfterMs: 120_000 });
  });
  afterAll(async () => {
    await sims?.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    rmSync(keyFile, { force: true });
  });

  const civil = () => sims.sims['civil-affairs'];
  const adult = (i: number) => sims.world.people.filter((p) => p.age >= 18)[i]!;
  // One ledger for the three hubs, one after the other (initialising a PGlite directory takes seconds).
  const start = (extra: Record<string, string> = {}) => {
    const dir = (dirs[0] ??= mkdtempSync(join(tmpdir(), 'owh-shutdown-')));
    const env = {
      SIMULATORS: 'off', PORT: '0', LOG_LEVEL: 'info', REDIS_URL: '', DATABASE_URL: '', DATA_DIR: dir,
      ...departmentUrlEnv(sims.urls),
      CHANGE_POLL_INTERVAL_MS: '0', STATUS_SYNC_MS: '0', OUTBOX_POLL_MS: '50', AUTH_DEV_ISSUER: 'true', AUTH_DEV_KEY_FILE: keyFile,
      AUDIT_KEY_SECRET: 'shutdown-test-secret', RATE_LIMIT_PER_MINUTE: '1000000',
      ...extra,
    };
    return spawnHub(env).then((h) => ({ h, dir }));
  };
  const post = async (h: HubProcess, query: string, variables: Record<string, unknown> = {}) => {
    const token = await (await DevIssuer.load(keyFile)).mint({ role: 'window_clerk', sub: 'clerk-01', window: 'W1' });
    const res = await fetch(h.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'x-purpose': 'test' }, body: JSON.stringify({ query, variables }) });
    return { status: res.status, body: (await res.json()) as any };
  };
  const submit = (h: HubProcess, i: number) =>
    post(h, `mutation($i: SubmitCaseInput!) { submitCase(input: $i) { case { caseNo } problems { code } } }`, {
      i: { idempotencyKey: randomUUID(), serviceItemCode: 'CA-0004', applicantIdNumber: adult(i).idNumber, channel: 'WINDOW', materials: [{ code: 'INCOME_PROOF', reference: `r${i}`, form: 'ORIGINAL' }, { code: 'APPLICATION_FORM', reference: `f${i}`, form: 'ORIGINAL' }] },
    });
  /** Submits a case for adult `i` and waits until its forwarding call is at civil affairs, unanswered; returns its number. */
  const forwardingInFlight = async (h: HubProcess, i: number) => {
    const caseNo = (await submit(h, i)).body.data.submitCase.case.caseNo as string;
    await until('the forwarding is in flight', async () => civil().inFlightNow('cases.submit') > 0);
    return caseNo;
  };
  const residentQuery = `query($id: ID!) { resident(idNumber: $id) { name sources { department { code } state } } }`;
  const refused = (url: string) =>
    new Promise<string>((resolve) => {
      const s = net.connect(Number(new URL(url).port), '127.0.0.1');
      s.once('connect', () => (s.destroy(), resolve('connected')));
      s.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
    });
  const outboxRow = async (dir: string, caseNo: string) => {
    const db = await PGliteDb.open(dir);
    try {
      return (await db.query<{ state: string; attempts: number; locked_until: Date | null }>('select state, attempts, locked_until from outbox where case_no = $1', [caseNo])).rows[0];
    } finally {
      await db.close();
    }
  };

  it('drains: the request in flight is answered, the forwarding in hand finishes, new connections are refused, exit 0', async () => {
    civil().configure({ latencyMs: 1200 });
    try {
      const { h, dir } = await start();
      const caseNo = await forwardingInFlight(h, 0);
      const reader = adult(5);
      const answer = post(h, residentQuery, { id: reader.idNumber });
      await new Promise((r) => setTimeout(r, 150));
      h.child.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 150));
      expect(await refused(h.url)).toBe('ECONNREFUSED');
      const { status, body } = await answer;
      expect(status).toBe(200);
      expect(body.data.resident.name).toBe(reader.name);
      expect(body.data.resident.sources.find((s: any) => s.department.code === 'civil-affairs').state).toBe('FRESH');
      expect(await h.exited).toBe(0);
      const stopped = JSON.parse(h.stderr().split('\n').find((l) => l.includes('"msg":"stopped"'))!);
      expect(stopped).toMatchObject({ requestsInFlightAtStop: 1, connectionsCut: false, outboxReleased: false });
      expect(await outboxRow(dir, caseNo)).toMatchObject({ state: 'ACKNOWLEDGED', attempts: 1 });
      expect(personalDataIn(h.stderr(), sims.world.people)).toBe(0); // its log names nobody
    } finally {
      civil().configure({ latencyMs: 0 });
    }
  }, 60_000);

  it('past the deadline: connections are cut, the forwarding in hand is released for the next start, exit 1', async () => {
    civil().configure({ latencyMs: 20_000 });
    try {
      const { h, dir } = await start({ SHUTDOWN_DEADLINE_MS: '1500', DEPARTMENT_TIMEOUT_MS: '30000', OUTBOX_TIMEOUT_MS: '30000' });
      const caseNo = await forwardingInFlight(h, 1);
      const answer = post(h, residentQuery, { id: adult(6).idNumber }).catch((e: Error) => e);
      await new Promise((r) => setTimeout(r, 150));
      const t0 = Date.now();
      h.child.kill('SIGTERM');
      expect(await h.exited).toBe(1);
      expect(Date.now() - t0).toBeLessThan(6000);
      expect(await answer).toBeInstanceOf(Error); // its connection was cut
      expect(h.stderr()).toContain('forwarding released at stop');
      expect(await outboxRow(dir, caseNo)).toMatchObject({ state: 'PENDING', attempts: 0, locked_until: null });
      expect(personalDataIn(h.stderr(), sims.world.people)).toBe(0);
    } finally {
      civil().configure({ latencyMs: 0 });
    }
  }, 60_000);

  it('a second SIGTERM exits at once', async () => {
    civil().configure({ latencyMs: 20_000 });
    try {
      const { h } = await start({ DEPARTMENT_TIMEOUT_MS: '30000' });
      const answer = post(h, residentQuery, { id: adult(7).idNumber }).catch((e: Error) => e);
      await new Promise((r) => setTimeout(r, 200));
      h.child.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 300));
      const t0 = Date.now();
      const code = await kill(h, 'SIGTERM');
      expect(code).toBe(1);
      expect(Date.now() - t0).toBeLessThan(2000);
      expect(h.stderr()).toContain('second signal: exiting now');
      await answer;
    } finally {
      civil().configure({ latencyMs: 0 });
    }
  }, 60_000);
});

describe('starting in production', () => {
  it('starts no simulated departments unless asked: a department URL left out stops the start with a clear message', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'owh-prod-'));
    try {
      const env: Record<string, string | undefined> = { ...process.env, NODE_ENV: 'production', PORT: '0', DATA_DIR: dir, DATABASE_URL: '', REDIS_URL: '', AUTH_JWKS_URL: 'https://idp.example.gov.cn/jwks', SIM_PORT_BASE: '0' };
      delete env.SIMULATORS;
      const run = spawnSync(process.execPath, ['dist/src/main.js'], { env, encoding: 'utf8', timeout: 30_000 });
      expect(run.status).toBe(1);
      expect(run.stderr).toContain('configuration error: POPULATION_URL is required');
      expect(run.stderr).not.toContain('simulated departments started');
      // SIMULATORS=on still starts them in production (e.g. a training room) — with real authentication only:
      const asked = spawnSync(process.execPath, ['dist/src/main.js'], { env: { ...env, SIMULATORS: 'on', AUTH_JWKS_URL: '' }, encoding: 'utf8', timeout: 30_000 });
      expect(asked.stderr).toContain('simulated departments started');
      expect(asked.stderr).toContain('refusing to start with the development token issuer'); // production still refuses it
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
