/**
 * `npm run bench`: load on loopback against the hub, each number measured in this one run.
 *
 * Processes: the simulators (bench/sims-process.ts), the hub under test (dist/src/main.js with
 * SIMULATORS=off), the floor (bench/floor.ts), and this process generating load with autocannon.
 *
 * Scenarios:
 *   warm    one resident's full picture, cache warm
 *   cold    the same with the cache off, simulators at their default latencies
 *   list100 100 residents with entitlements and sources, cache off
 * Each against: the hub as configured; (a) the same hub with batching and caching off; (b) the floor,
 * Apollo Server answering the same query from memory.
 *
 * The three targets of a scenario are loaded in turn, BENCH_ROUNDS times (default 3), and each
 * reports its median round by throughput: this machine is shared and noisy, and interleaving keeps
 * a burst of someone else's load from landing on one target only. BENCH_SECONDS (default 5) is
 * the duration of one round.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import autocannon from 'autocannon';
import pg from 'pg';
import { DevIssuer } from '../src/auth/dev-issuer.js';
import { SAMPLE_CATALOGUE } from '../src/config.js';
import { departmentUrlEnv } from '../mocks/index.js';
import { root, rssMb, start, stop } from './procs.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

const FULL = `query($id: ID!) { resident(idNumber: $id) { idNumber name gender birthDate age phone address community householdNo
  entitlements { id kind name status monthlyAmount startDate endDate department { code name } }
  socialInsurance { personNo status insuranceTypes firstPaidOn monthsPaid }
  medicalInsurance { scheme status enrolledOn } designatedHospitals { code name level address }
  disabilityCertificate { certificateNo category grade validUntil }
  sources { department { code } state fetchedAt } } }`;
const LIST = `query($ids: [ID!]!) { residents(idNumbers: $ids) { idNumber name age
  entitlements { kind status monthlyAmount department { code } } sources { department { code } state } } }`;

async function gql(url: string, query: string, variables: unknown): Promise<any> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-purpose': 'bench', ...AUTH }, body: JSON.stringify({ query, variables }) });
  return res.json();
}

/** Department calls so far, without the change-feed polls (background work, not per query). */
async function departmentCalls(urls: Record<string, string>): Promise<number> {
  let total = 0;
  for (const url of Object.values(urls)) {
    const c = (await (await fetch(`${url}/_sim/counters`)).json()) as { calls: Record<string, number> };
    total += Object.entries(c.calls).reduce((sum, [route, n]) => (route === 'changes' ? sum : sum + n), 0);
  }
  return total;
}

interface Measure {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  requests: number;
  departmentCallsPerQuery: number | null;
}

/** Waits until the departments stop receiving calls (requests cut off by the end of a run finish server-side). */
async function settle(sims: Record<string, string>): Promise<void> {
  let last = -1;
  for (let n = await departmentCalls(sims); n !== last; n = await departmentCalls(sims)) {
    last = n;
    await new Promise((r) => setTimeout(r, 300));
  }
}

async function load(url: string, body: string, connections: number, sims: Record<string, string> | null): Promise<Measure> {
  // Department calls of one query, counted alone (under load, calls of unfinished requests would blur it).
  if (sims) await settle(sims);
  const before = sims ? await departmentCalls(sims) : 0;
  if (sims) await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-purpose': 'bench', ...AUTH }, body });
  const after = sims ? await departmentCalls(sims) : 0;
  const r = await autocannon({ url, method: 'POST', headers: { 'content-type': 'application/json', 'x-purpose': 'bench', ...AUTH }, body, connections, duration: SECONDS });
  const requests = r.requests.total;
  return {
    rps: Math.round(r.requests.average),
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors + r.non2xx,
    requests,
    departmentCallsPerQuery: sims ? after - before : null,
  };
}

/** The round with the median throughput (its latencies come with it). */
const median = (ms: Measure[]): Measure => [...ms].sort((a, b) => a.rps - b.rps)[Math.floor(ms.length / 2)]!;

const simsProc = await start(['dist/bench/sims-process.js'], {}, /^\{"urls"/);
const simInfo = JSON.parse(simsProc.line) as { urls: Record<string, string>; people: string[]; rich: string; latency: Record<string, number> };
// Tokens as in production: the hub trusts a JWKS file (here the bench's own issuer's public key).
const issuerFile = join(tmpdir(), `owh-bench-issuer-${process.pid}.json`);
const jwksFile = join(tmpdir(), `owh-bench-jwks-${process.pid}.json`);
const issuer = await DevIssuer.load(issuerFile);
writeFileSync(jwksFile, JSON.stringify({ keys: [issuer.publicJwk] }));
const token = await issuer.mint({ role: 'window_clerk', sub: 'bench', window: 'W1' });
const AUTH = { authorization: `Bearer ${token}` };
const hubEnv = (extra: Record<string, string>) => ({
  SIMULATORS: 'off',
  REDIS_URL: '', // the in-process cache: what `npm start` runs
  RATE_LIMIT_PER_MINUTE: '1000000000', // one token carries the whole load
  AUTH_JWKS_FILE: jwksFile,
  AUTH_ISSUER: 'owh-dev-issuer',
  AUTH_AUDIENCE: 'one-window-hub',
  AUDIT_KEY_SECRET: `bench-audit-key-${process.pid}-0123456789`, // required in production with DATABASE_URL
  CATALOGUE_FILE: SAMPLE_CATALOGUE, // production refuses to fall back to it silently
  PORT: '0',
  LOG_LEVEL: 'error',
  ...departmentUrlEnv(simInfo.urls),
  ...extra,
});
/** A hub process; each gets a ledger of its own (PGlite is one process per data directory). */
const startHub = async (extra: Record<string, string>) => {
  const dir = mkdtempSync(join(tmpdir(), 'owh-bench-hub-'));
  // BENCH_CPU_PROF_DIR=<dir>: every hub writes a V8 CPU profile there when it stops (open in Chrome DevTools).
  const prof = process.env.BENCH_CPU_PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF_DIR}`] : [];
  const p = await start([...prof, 'dist/src/main.js'], { DATA_DIR: dir, ...hubEnv(extra) }, /One-Window Hub is up: /);
  p.child.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return { proc: p, url: /(http:\S+)/.exec(p.line)![1]! };
};

const one = JSON.stringify({ query: FULL, variables: { id: simInfo.rich } });
const ids = simInfo.people.slice(0, 100);
const list = JSON.stringify({ query: LIST, variables: { ids } });

// The floor serves exactly what the hub answers.
const answersFile = join(tmpdir(), `owh-bench-${process.pid}.json`);
{
  const h = await startHub({});
  const resident = (await gql(h.url, FULL, { id: simInfo.rich })).data.resident;
  const residents = (await gql(h.url, LIST, { ids })).data.residents;
  writeFileSync(answersFile, JSON.stringify({ resident, residents }));
  await stop(h.proc);
}
const floor = await start(['dist/bench/floor.js', answersFile], {}, /floor listening on /);
const floorUrl = /(http:\S+)/.exec(floor.line)![1]!;

// Connections: as many as the clients hitting the hub at once. Warm: 20 (a busy hall). Cold: 4, the
// comprehensive windows of one centre (more would measure the departments' concurrency bounds, not
// the hub). list100: 2 (lists are loaded now and then, and each costs 100 medical-insurance calls).
const scenarios = [
  { name: 'warm', body: one, connections: 20, hub: {}, warm: true },
  { name: 'cold', body: one, connections: 4, hub: { CACHE_ENABLED: 'false' }, warm: false },
  { name: 'list100', body: list, connections: 2, hub: { CACHE_ENABLED: 'false' }, warm: false },
] as const;

// BENCH_ONLY=warm,submit runs a subset (while working on one thing); the targets need all.
const only = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(',')) : null;
const results: Record<string, unknown> = {};
for (const s of scenarios.filter((x) => !only || only.has(x.name))) {
  process.stderr.write(`bench: ${s.name}…\n`);
  const hub = await startHub(s.hub);
  const base = await startHub({ CACHE_ENABLED: 'false', BATCHING_ENABLED: 'false' });
  if (s.warm) await gql(hub.url, FULL, { id: simInfo.rich });
  const rounds: Record<'hub' | 'base' | 'floor', Measure[]> = { hub: [], base: [], floor: [] };
  for (let round = 0; round < ROUNDS; round++) {
    rounds.hub.push(await load(hub.url, s.body, s.connections, simInfo.urls));
    rounds.base.push(await load(base.url, s.body, s.connections, simInfo.urls));
    rounds.floor.push(await load(floorUrl, s.body, s.connections, null));
  }
  const hubRssMb = rssMb(hub.proc.child.pid!);
  await stop(hub.proc);
  await stop(base.proc);
  const measured = median(rounds.hub);
  const baseline = median(rounds.base);
  const floorMeasure = median(rounds.floor);
  results[s.name] = {
    connections: s.connections,
    hub: { ...measured, rssMb: hubRssMb, rpsEachRound: rounds.hub.map((m) => m.rps) },
    noBatchingNoCache: { ...baseline, rpsEachRound: rounds.base.map((m) => m.rps) },
    floor: { ...floorMeasure, rpsEachRound: rounds.floor.map((m) => m.rps) },
    ratios: {
      throughputVsNoBatchingNoCache: +(measured.rps / baseline.rps).toFixed(2),
      throughputVsFloor: +(measured.rps / floorMeasure.rps).toFixed(3),
      p50VsNoBatchingNoCache: +(measured.p50 / baseline.p50).toFixed(2),
    },
  };
}
await stop(floor);

// submitCase: throughput and p99 of the whole intake (HTTP, GraphQL, checks, the departments'
// evidence from the cache, one transaction, the outbox worker forwarding in the background),
// against plain INSERTs of the same rows through the driver (bench/inserts.ts), per database.
const pgUrl = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL;
const submitResults: Record<string, unknown> = {};
for (const kind of (only && !only.has('submit') ? [] : ['pglite', ...(pgUrl ? ['postgres'] : [])]) as ('pglite' | 'postgres')[]) {
  process.stderr.write(`bench: submitCase on ${kind}…\n`);
  const dir = mkdtempSync(join(tmpdir(), 'owh-bench-ledger-'));
  let dbEnv: Record<string, string> = { DATA_DIR: dir, DATABASE_URL: '' };
  let dropSchema = async () => undefined as unknown;
  if (kind === 'postgres') {
    const schema = `bench_${process.pid}_${Date.now()}`;
    const admin = new pg.Client({ connectionString: pgUrl });
    await admin.connect();
    await admin.query(`create schema ${schema}`);
    const url = new URL(pgUrl!);
    url.searchParams.set('options', `-c search_path=${schema}`);
    dbEnv = { DATABASE_URL: url.toString() };
    dropSchema = async () => (await admin.query(`drop schema ${schema} cascade`), await admin.end());
  }
  const hub = await startHub({ ...dbEnv, STATUS_SYNC_MS: '0' });
  const people = simInfo.people;
  let seq = 0;
  const submit = (i: number) =>
    JSON.stringify({
      query: 'mutation($i: SubmitCaseInput!) { submitCase(input: $i) { case { caseNo status } problems { code } } }',
      variables: { i: { idempotencyKey: `bench-${process.pid}-${kind}-${i}`, serviceItemCode: 'CA-0004', applicantIdNumber: people[i % people.length], channel: 'WINDOW', materials: [{ code: 'INCOME_PROOF', reference: `r${i}`, form: 'ORIGINAL' }, { code: 'APPLICATION_FORM', reference: `f${i}`, form: 'ORIGINAL' }] } },
    });
  for (let i = 0; i < people.length; i++) {
    // warm the evidence cache; and make sure what is measured is a real intake, not an error
    const answer = (await (await fetch(hub.url, { method: 'POST', headers: { 'content-type': 'application/json', ...AUTH }, body: submit(seq++) })).json()) as any;
    if (!answer.data?.submitCase?.case?.caseNo) throw new Error(`the bench submission is refused: ${JSON.stringify(answer).slice(0, 300)}`);
  }
  const r = await autocannon({
    url: hub.url,
    connections: 10,
    duration: SECONDS,
    requests: [{ method: 'POST', headers: { 'content-type': 'application/json', ...AUTH }, setupRequest: (req: any) => ({ ...req, body: submit(seq++) }) }],
  });
  const hubRss = rssMb(hub.proc.child.pid!);
  await stop(hub.proc);
  await dropSchema();
  rmSync(dir, { recursive: true, force: true });
  const inserts = JSON.parse(
    await new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, ['dist/bench/inserts.js', kind, String(SECONDS), '10'], { cwd: root, env: { ...process.env, BENCH_DATABASE_URL: pgUrl ?? '' }, stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
      child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`inserts exited ${code}`))));
    }),
  ) as { rps: number; p50: number; p99: number };
  const measured = { rps: Math.round(r.requests.average), p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.non2xx, requests: r.requests.total, rssMb: hubRss };
  submitResults[kind] = { submitCase: measured, plainInserts: inserts, ratios: { throughputVsInserts: +(measured.rps / inserts.rps).toFixed(3), p99VsInserts: +(measured.p99 / inserts.p99).toFixed(2) } };
}
results.submitCase = submitResults;
await stop(simsProc);

const { submitCase: submitSummary, ...readResults } = results as Record<string, any>;
const slowest = Math.max(...Object.values(simInfo.latency));
const warm = (results.warm ?? { ratios: {}, hub: {} }) as any;
const cold = (results.cold ?? { hub: {} }) as any;
const targets = {
  warmThroughputAtLeastHalfOfFloor: { measured: warm.ratios.throughputVsFloor, target: 0.5, met: warm.ratios.throughputVsFloor >= 0.5 },
  coldP50AtMost: { measuredMs: cold.hub.p50, targetMs: 1.25 * slowest + 10, slowestConfiguredLatencyMs: slowest, met: cold.hub.p50 <= 1.25 * slowest + 10 },
  hubRssUnder300Mb: { measuredMb: Math.max(...Object.values(readResults).map((r: any) => r.hub.rssMb)), met: Math.max(...Object.values(readResults).map((r: any) => r.hub.rssMb)) < 300 },
};

const rows = Object.entries(readResults).flatMap(([name, r]: [string, any]) =>
  (['hub', 'noBatchingNoCache', 'floor'] as const).map((k) => ({ scenario: name, target: k, rps: r[k].rps, p50ms: r[k].p50, p99ms: r[k].p99, deptCallsPerQuery: r[k].departmentCallsPerQuery ?? '-', errors: r[k].errors })),
);
console.table(rows);
console.table(Object.fromEntries(Object.entries(readResults).map(([n, r]: [string, any]) => [n, r.ratios])));
console.table(Object.fromEntries(Object.entries(submitSummary as Record<string, any>).map(([k, v]) => [k, { submitRps: v.submitCase.rps, submitP50: v.submitCase.p50, submitP99: v.submitCase.p99, errors: v.submitCase.errors, insertsRps: v.plainInserts.rps, insertsP99: v.plainInserts.p99, ...v.ratios }])));
console.log(JSON.stringify(targets, null, 2));
mkdirSync(join(root, 'bench/results'), { recursive: true });
writeFileSync(join(root, 'bench/results/latest.json'), JSON.stringify({ at: new Date().toISOString(), seconds: SECONDS, rounds: ROUNDS, cores: (await import('node:os')).cpus().length, results, targets }, null, 2));
rmSync(issuerFile, { force: true });
rmSync(jwksFile, { force: true });
rmSync(answersFile, { force: true });
console.log('wrote bench/results/latest.json');
