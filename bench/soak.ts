/**
 * `npm run soak`: a bounded soak on loopback. One hub process (PGlite, in-process cache, as
 * `npm start` runs it) against the simulators in their own process, under a mix of clients for
 * SOAK_SECONDS per phase (default 90):
 *   70% narrow queries   name + medical insurance + designated hospitals (population and medical only)
 *   20% full queries     every department (partial data while one fails)
 *   10% submitCase       an item of civil affairs (CA-0004), forwarded through the outbox
 * After an unrecorded warm-up of the same mix: phase "calm", no faults. Phase "faulty": civil affairs fails intermittently — 5 s down, 5 s
 * answering 40% of calls with 503, in turn. After each phase the outbox is given time to drain;
 * then every case the ledger holds is checked at the department: there exactly once (no lost, no
 * duplicated case), and nothing at the department the ledger does not know.
 * SOAK_CACHE=off runs it with the cache off (to tell the cache's memory from the rest's).
 * Reports RSS at the start and end, p50/p99 per class per phase, and the faulty/calm ratios;
 * writes bench/results/soak.json.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { DevIssuer } from '../src/auth/dev-issuer.js';
import { SAMPLE_CATALOGUE } from '../src/config.js';
import { departmentUrlEnv } from '../mocks/index.js';
import { root, rssMb, start, stop } from './procs.js';

const SECONDS = Number(process.env.SOAK_SECONDS ?? 90);
const CLIENTS = Number(process.env.SOAK_CLIENTS ?? 8);
const FAILING = 'civil-affairs';

const NARROW = `query($id: ID!) { resident(idNumber: $id) { name medicalInsurance { scheme status } designatedHospitals { name } } }`;
const FULL = `query($id: ID!) { resident(idNumber: $id) { name entitlements { kind status department { code } } sources { department { code } state } } }`;
const SUBMIT = `mutation($i: SubmitCaseInput!) { submitCase(input: $i) { case { caseNo } problems { code } } }`;

// 100,000 residents, all handed to the clients: most reads miss the cache in both phases alike.
const sims = await start(['dist/bench/sims-process.js'], { SIMS_RESIDENTS: '100000', SIMS_PEOPLE: '100000' }, /^\{"urls"/);
const info = JSON.parse(sims.line) as { urls: Record<string, string>; people: string[] };
const issuerFile = join(tmpdir(), `owh-soak-issuer-${process.pid}.json`);
const jwksFile = join(tmpdir(), `owh-soak-jwks-${process.pid}.json`);
const issuer = await DevIssuer.load(issuerFile);
writeFileSync(jwksFile, JSON.stringify({ keys: [issuer.publicJwk] }));
const clerk = `Bearer ${await issuer.mint({ role: 'window_clerk', sub: 'soak', window: 'W1' })}`;
const admin = `Bearer ${await issuer.mint({ role: 'admin', sub: 'soak-admin', window: 'W1' })}`;
const dir = mkdtempSync(join(tmpdir(), 'owh-soak-'));
// SOAK_DATABASE_URL: the ledger in PostgreSQL (a schema of its own, dropped at the end) instead of PGlite.
const pgUrl = process.env.SOAK_DATABASE_URL;
const schema = `soak_${process.pid}`;
let ledgerEnv: Record<string, string> = { DATABASE_URL: '', DATA_DIR: dir };
if (pgUrl) {
  const c = new pg.Client({ connectionString: pgUrl });
  await c.connect();
  await c.query(`create schema ${schema}`);
  await c.end();
  const u = new URL(pgUrl);
  u.searchParams.set('options', `-c search_path=${schema}`);
  ledgerEnv = { DATABASE_URL: u.toString(), AUDIT_SPOOL_FILE: join(dir, 'spool.jsonl') };
}
const hub = await start(['dist/src/main.js'], {
  NODE_ENV: 'production', SIMULATORS: 'off', REDIS_URL: '', PORT: '0', LOG_LEVEL: 'error', ...ledgerEnv,
  RATE_LIMIT_PER_MINUTE: '1000000000', AUTH_JWKS_FILE: jwksFile, AUTH_ISSUER: 'owh-dev-issuer', AUTH_AUDIENCE: 'one-window-hub', AUDIT_KEY_SECRET: `soak-audit-key-${process.pid}-0123456789`, CATALOGUE_FILE: SAMPLE_CATALOGUE,
  // Forwarding retries at most every 5 s (production: 5 min), so the outbox drains within the soak.
  OUTBOX_BASE_BACKOFF_MS: '200', OUTBOX_MAX_BACKOFF_MS: '5000', ...departmentUrlEnv(info.urls),
  // SOAK_CACHE=off: every read from the departments (tells the cache's memory from the rest's).
  ...(process.env.SOAK_CACHE === 'off' ? { CACHE_ENABLED: 'false' } : {}),
}, /One-Window Hub is up: /);
const url = /(http:\S+)/.exec(hub.line)![1]!;
const pid = hub.child.pid!;

async function post(query: string, variables: unknown, auth = clerk): Promise<{ status: number; body: any }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-purpose': 'soak', authorization: auth }, body: JSON.stringify({ query, variables }) });
  return { status: res.status, body: await res.json() };
}

/** The hub's own account of its memory (heap, cache entries) from /healthz. */
const health = async () => ((await (await fetch(url.replace(/\/graphql$/, '/healthz'))).json()) as { memory: { rssMb: number; heapUsedMb: number; externalMb: number; cacheEntries: number | null } }).memory;

const sim = (code: string, path: string, init?: RequestInit) => fetch(`${info.urls[code]}/_sim/${path}`, init).then((r) => r.json() as Promise<any>);
const faults = (body: Record<string, unknown>) => sim(FAILING, 'config', { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? +s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!.toFixed(1) : NaN;
};

let keySeq = 0;
let next = 300; // the first 300 are read in the warm-up
async function phase(name: string, faulty: boolean, seconds = SECONDS) {
  process.stderr.write(`soak: ${name} for ${seconds} s…\n`);
  const latency: Record<'narrow' | 'full' | 'submit', number[]> = { narrow: [], full: [], submit: [] };
  const problems: string[] = [];
  const accepted: string[] = [];
  let refused = 0;
  let partial = 0;
  const rssStart = rssMb(pid);
  const memoryStart = await health();
  const end = Date.now() + seconds * 1000;
  let toggle: NodeJS.Timeout | undefined;
  if (faulty) {
    let down = false;
    const flip = () => void faults(down ? { down: false, failRate: 0.4 } : { down: true, failRate: 0 }).then(() => (down = !down));
    flip();
    toggle = setInterval(flip, 5000);
  }
  let n = 0;
  const client = async () => {
    while (Date.now() < end) {
      const i = next++; // across phases: the faulty phase reads people the calm one did not (cache misses)
      n++;
      const id = info.people[i % info.people.length]!;
      const dice = i % 10;
      const t0 = performance.now();
      if (dice < 7 || dice === 8) {
        const kind = dice < 7 ? 'narrow' : 'full';
        const { status, body } = await post(kind === 'narrow' ? NARROW : FULL, { id });
        latency[kind].push(performance.now() - t0);
        const codes = (body.errors ?? []).map((e: any) => e.extensions?.code);
        if (status !== 200 || !body.data?.resident) problems.push(`${kind}: HTTP ${status} ${codes.join(',')}`);
        else if (codes.some((c: string) => c !== 'DEPARTMENT_UNAVAILABLE')) problems.push(`${kind}: ${codes.join(',')}`);
        else if (codes.length) partial++;
        if (kind === 'narrow' && codes.length) problems.push('narrow query touched by the failing department');
      } else {
        const key = `soak-${process.pid}-${name}-${keySeq++}`;
        const { status, body } = await post(SUBMIT, { i: { idempotencyKey: key, serviceItemCode: 'CA-0004', applicantIdNumber: id, channel: 'WINDOW', materials: [{ code: 'INCOME_PROOF', reference: `r-${key}`, form: 'ORIGINAL' }, { code: 'APPLICATION_FORM', reference: `f-${key}`, form: 'ORIGINAL' }] } });
        latency.submit.push(performance.now() - t0);
        const c = body.data?.submitCase;
        if (status === 200 && c?.case?.caseNo && c.problems.length === 0) accepted.push(c.case.caseNo);
        else if (c?.problems?.length) refused++; // the applicant does not qualify (age, residence): a real answer
        else problems.push(`submit: HTTP ${status} ${JSON.stringify(body.errors ?? []).slice(0, 200)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: CLIENTS }, client));
  clearInterval(toggle);
  if (faulty) await faults({ down: false, failRate: 0 });
  const rssEnd = rssMb(pid);
  const memoryEnd = await health();
  return { latency, problems, accepted, refused, partial, rssStart, rssEnd, memoryStart, memoryEnd, requests: n };
}

/** Every case of the ledger, through the hub's API (admin, paged). */
async function ledgerCases(): Promise<Map<string, string>> {
  const all = new Map<string, string>();
  let after: string | null = null;
  for (;;) {
    const { body } = await post(`query($after: String) { cases(first: 100, after: $after) { edges { cursor node { caseNo forwarding { state } } } pageInfo { hasNextPage endCursor } } }`, { after }, admin);
    for (const e of body.data.cases.edges) all.set(e.node.caseNo, e.node.forwarding?.state ?? 'NONE');
    if (!body.data.cases.pageInfo.hasNextPage) return all;
    after = body.data.cases.pageInfo.endCursor;
  }
}

async function drained(): Promise<{ ledger: Map<string, string>; waitedMs: number }> {
  const t0 = Date.now();
  for (;;) {
    const ledger = await ledgerCases();
    if ([...ledger.values()].every((s) => s === 'ACKNOWLEDGED') || Date.now() - t0 > 180_000) return { ledger, waitedMs: Date.now() - t0 };
    await new Promise((r) => setTimeout(r, 1000));
  }
}

// Warm-up: the same mix, unrecorded, so the calm phase measures a running hub (JIT, pools, PGlite's
// buffers), not a fresh process.
for (let i = 0; i < 300; i++) await post(i % 2 ? NARROW : FULL, { id: info.people[i % info.people.length] });
await phase('warm-up', false, Math.min(20, Math.ceil(SECONDS / 4)));
await drained();

const results: Record<string, any> = {};
for (const [name, faulty] of [['calm', false], ['faulty', true]] as const) {
  const r = await phase(name, faulty);
  const { ledger, waitedMs } = await drained();
  const atDepartment = (await sim(FAILING, 'cases', { method: 'POST' })).cases as Record<string, { creations: number }>;
  const lostAtHub = r.accepted.filter((no) => !ledger.has(no));
  const notForwarded = [...ledger].filter(([, s]) => s !== 'ACKNOWLEDGED').map(([no]) => no);
  const missingAtDepartment = [...ledger.keys()].filter((no) => !atDepartment[no]);
  const duplicated = Object.entries(atDepartment).filter(([, c]) => c.creations !== 1).map(([no]) => no);
  const unknownToLedger = Object.keys(atDepartment).filter((no) => !ledger.has(no));
  results[name] = {
    requests: r.requests,
    narrow: { n: r.latency.narrow.length, p50: pct(r.latency.narrow, 50), p99: pct(r.latency.narrow, 99) },
    full: { n: r.latency.full.length, p50: pct(r.latency.full, 50), p99: pct(r.latency.full, 99), partialAnswers: r.partial },
    submit: { n: r.latency.submit.length, p50: pct(r.latency.submit, 50), p99: pct(r.latency.submit, 99), accepted: r.accepted.length, refusedAsIneligible: r.refused },
    cases: { inLedger: ledger.size, lostAtHub: lostAtHub.length, notForwarded: notForwarded.length, missingAtDepartment: missingAtDepartment.length, duplicatedAtDepartment: duplicated.length, unknownToLedger: unknownToLedger.length, drainMs: waitedMs },
    problems: { count: r.problems.length, first: [...new Set(r.problems)].slice(0, 5) },
    rssMb: { start: r.rssStart, end: r.rssEnd },
    hubMemory: { start: r.memoryStart, end: r.memoryEnd },
  };
}
const calm = results.calm;
const faulty = results.faulty;
const summary = {
  narrowP99FaultyVsCalm: +(faulty.narrow.p99 / calm.narrow.p99).toFixed(2),
  fullP99FaultyVsCalm: +(faulty.full.p99 / calm.full.p99).toFixed(2),
  rssMb: { start: calm.rssMb.start, end: faulty.rssMb.end },
  casesLost: calm.cases.lostAtHub + faulty.cases.lostAtHub + faulty.cases.missingAtDepartment + faulty.cases.notForwarded,
  casesDuplicated: faulty.cases.duplicatedAtDepartment + faulty.cases.unknownToLedger,
  unexpectedErrors: calm.problems.count + faulty.problems.count,
};
await stop(hub);
await stop(sims);
if (pgUrl) {
  const c = new pg.Client({ connectionString: pgUrl });
  await c.connect();
  await c.query(`drop schema ${schema} cascade`);
  await c.end();
}
rmSync(dir, { recursive: true, force: true });
rmSync(issuerFile, { force: true });
rmSync(jwksFile, { force: true });
console.table(Object.fromEntries(Object.entries(results).map(([k, v]) => [k, { requests: v.requests, narrowP50: v.narrow.p50, narrowP99: v.narrow.p99, fullP50: v.full.p50, fullP99: v.full.p99, submitP99: v.submit.p99, accepted: v.submit.accepted, partial: v.full.partialAnswers, rssStart: v.rssMb.start, rssEnd: v.rssMb.end }])));
console.table(Object.fromEntries(Object.entries(results).map(([k, v]) => [k, v.cases])));
console.table(Object.fromEntries(Object.entries(results).flatMap(([k, v]) => [[`${k} start`, v.hubMemory.start], [`${k} end`, v.hubMemory.end]])));
console.log(JSON.stringify(summary, null, 2));
for (const [k, v] of Object.entries(results)) if (v.problems.count) console.log(k, 'problems:', v.problems);
mkdirSync(join(root, 'bench/results'), { recursive: true });
writeFileSync(join(root, 'bench/results/soak.json'), JSON.stringify({ at: new Date().toISOString(), seconds: SECONDS, clients: CLIENTS, failing: FAILING, ledger: pgUrl ? 'postgres' : 'pglite', results, summary }, null, 2));
console.log('wrote bench/results/soak.json');
process.exit(summary.casesLost === 0 && summary.casesDuplicated === 0 && summary.unexpectedErrors === 0 ? 0 : 1);
