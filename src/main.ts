/**
 * `npm start`: the six simulated departments and the hub on localhost, embedded stores unless
 * REDIS_URL is set. Prints where to go and a few ID numbers to try; Ctrl-C stops everything.
 * To run the hub against real departments instead, set SIMULATORS=off and the *_URL variables.
 * Under NODE_ENV=production the simulators are off unless SIMULATORS=on: a department URL left
 * out must stop the start, not point a window at synthetic residents.
 */
import { ConfigError } from '../adapters/contract.js';
import { DEPARTMENT_CODES, DEFAULT_LATENCY, departmentUrlEnv, startSimulators, type RunningSimulators } from '../mocks/index.js';
import { loadConfig } from './config.js';
import { createLogger, describeError } from './log.js';
import { DEV_PRINCIPALS } from './auth/dev-issuer.js';
import { startHub, type Hub } from './server.js';

function num(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new ConfigError(`${name} must be a non-negative number, got "${raw}"`);
  return n;
}

async function main(): Promise<void> {
  const log = createLogger();
  const env = { ...process.env };
  let sims: RunningSimulators | null = null;
  const simulate = process.env.SIMULATORS ? process.env.SIMULATORS !== 'off' : process.env.NODE_ENV !== 'production';
  if (simulate) {
    const portBase = num('SIM_PORT_BASE', 7101);
    const latency = process.env.SIM_LATENCY_MS;
    const faults = Object.fromEntries(
      DEPARTMENT_CODES.map((code) => [
        code,
        {
          ...DEFAULT_LATENCY[code],
          ...(latency !== undefined ? { latencyMs: num('SIM_LATENCY_MS', 0), jitterMs: num('SIM_JITTER_MS', 0) } : {}),
          ...(process.env.SIM_FAULTS === 'off' ? { failRate: 0, slowRate: 0 } : {}),
        },
      ]),
    );
    const started = Date.now();
    sims = await startSimulators({
      world: { seed: num('SIM_SEED', 20261126), count: num('SIM_RESIDENTS', 10_000) },
      faults,
      ports: Object.fromEntries(DEPARTMENT_CODES.map((c, i) => [c, portBase === 0 ? 0 : portBase + i])),
    });
    log.info('simulated departments started', { residents: sims.world.people.length, ms: Date.now() - started });
    for (const [name, url] of Object.entries(departmentUrlEnv(sims.urls))) env[name] ??= url;
    // Development: adapters on this machine register over plain http, and the development token
    // issuer signs the tokens printed below (the hub logs both loudly; neither is for production).
    env.REMOTE_ADAPTERS_ALLOW_HTTP ??= 'true';
    if (!env.AUTH_JWKS_URL && !env.AUTH_JWKS_FILE) env.AUTH_DEV_ISSUER ??= 'true';
  }
  let hub: Hub;
  try {
    hub = await startHub(loadConfig(env), { log });
  } catch (err) {
    await sims?.close();
    throw err;
  }

  // SIGTERM/SIGINT: stop accepting, drain, finish or release the outbox's work, close the stores —
  // within SHUTDOWN_DEADLINE_MS; a second signal, or the deadline plus 5 s, exits at once.
  const deadlineMs = num('SHUTDOWN_DEADLINE_MS', 10_000);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) {
      log.warn('second signal: exiting now', { signal });
      process.exit(1);
    }
    stopping = true;
    log.info('stopping', { signal, deadlineMs });
    const force = setTimeout(() => {
      log.error('shutdown did not finish in time: exiting now');
      process.exit(1);
    }, deadlineMs + 5000);
    force.unref();
    const clean = await hub.stop({ deadlineMs }).catch((err) => {
      log.error('shutdown failed', describeError(err));
      return false;
    });
    await sims?.close();
    process.exit(clean ? 0 : 1);
  };
  // Before the banner: a signal that comes while it is printed must find its handler.
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  const out = (s = '') => process.stdout.write(s + '\n');
  out();
  out(`One-Window Hub is up: ${hub.graphqlUrl}`);
  out(`  cache: ${process.env.REDIS_URL ? 'Redis' : 'in-process (set REDIS_URL for Redis)'}; case ledger: ${hub.db.kind === 'postgres' ? 'PostgreSQL (DATABASE_URL)' : `PGlite in ${process.env.DATA_DIR || 'data/pglite'} (set DATABASE_URL for PostgreSQL)`}`);
  out(`  catalogue: ${hub.cases.catalogue.size} service items; health: ${hub.url}/healthz; metrics: ${hub.url}/metrics`);
  if (sims) {
    out('  departments (simulated):');
    for (const code of DEPARTMENT_CODES) out(`    ${code.padEnd(18)} ${sims.urls[code]}  (OpenAPI: /openapi.json, counters: /_sim/counters)`);
    const p = sims.world.people;
    const pick = (f: (x: (typeof p)[number]) => boolean) => p.find(f)?.idNumber;
    out('  synthetic residents to try:');
    out(`    aged 80+ with 高龄津贴      ${pick((x) => x.civil.benefits.some((b) => b.kind === 'OLD_AGE_ALLOWANCE'))}`);
    out(`    低保 household              ${pick((x) => x.civil.benefits.some((b) => b.kind === 'LOW_INCOME_ALLOWANCE'))}`);
    out(`    disability certificate      ${pick((x) => x.disability !== null && x.disability.benefits.length > 0)}`);
    out(`    pension + payment records   ${pick((x) => x.socialInsurance?.status === '领取待遇')}`);
    out(`    one-child parent reward     ${pick((x) => x.health.benefits.some((b) => b.kind === 'ONE_CHILD_PARENT_REWARD'))}`);
  }
  out();
  if (hub.devIssuer) {
    out('  development tokens (valid 12 h; more with `npm run token -- <role> [window=…] [station=…] [department=…] [resident=…]`):');
    const kiosk = sims?.world.people.find((x) => x.socialInsurance)?.idNumber ?? '11010519491231002X';
    for (const claims of DEV_PRINCIPALS(kiosk)) out(`    ${claims.role.padEnd(14)} ${await hub.devIssuer.mint(claims)}`);
    out();
  }
  out('  try (every request needs a token; reading personal data needs X-Purpose):');
  out(`    curl -s ${hub.graphqlUrl} -H 'content-type: application/json' -H "authorization: Bearer $TOKEN" -H 'x-purpose: demo' \\`);
  out(`      -d '{"query":"{ departments { code name status } }"}'`);
  out();
  out('  Ctrl-C stops the hub and the simulators.');
}

main().catch((err) => {
  process.stderr.write(`${err instanceof ConfigError ? 'configuration error' : 'failed to start'}: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
