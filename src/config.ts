/**
 * The hub's configuration, read once from the environment at start. Every variable is documented
 * in the README; a bad value stops the start with a message naming the variable.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../adapters/contract.js';
import { DEFAULT_OUTBOX, type OutboxOptions } from './cases/outbox.js';
import { DEPARTMENT_POLICY_SETTINGS, type DepartmentPolicy } from './departments/gateway.js';

/** The project's root (the nearest folder with package.json): the same from src/ and dist/src/. */
export function projectRoot(from = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error('package.json not found above ' + from);
  }
}

/** The sample catalogue shipped in mocks/ (marked as sample data). */
export const SAMPLE_CATALOGUE = join(projectRoot(), 'mocks/catalogue/sample-catalogue.json');

export interface HubConfig {
  /** HTTP port of the hub (0 = any free port). */
  port: number;
  host: string;
  /** Redis for the cache; unset = in-process store with the same behaviour. */
  redisUrl: string | null;
  cache: {
    enabled: boolean;
    /** Keyed-hash secret for cache keys (ID numbers never appear in keys). */
    keySecret: string;
    /** Whether keySecret was generated for this process (cache entries are then not shared across replicas). */
    keySecretGenerated: boolean;
    /** Prefix of every key the hub writes (replicas of one hub share it; tests use their own). */
    keyPrefix: string;
    /** Upper bound of every adapter's TTL, in seconds (0 = adapters' own TTLs). */
    maxTtlSeconds: number;
    /** How long "this department does not know this person" is remembered. */
    negativeTtlSeconds: number;
    /** How long past its TTL an entry may still be served (as STALE) when the department fails. */
    staleIfErrorSeconds: number;
    /** Upper bound of entries in the in-process store. */
    memoryMaxEntries: number;
    /** AES-256-GCM keyring for values in Redis (first key encrypts). */
    encryptionKeys: string | null;
    /** Store Redis values in plain JSON (development only; logged as an error). */
    allowPlaintext: boolean;
  };
  departments: {
    /** Time budget of one upstream call, in milliseconds. */
    timeoutMs: number;
    /** Repeats of a call the department answered 429 (waiting its Retry-After). */
    rateLimitRetries: number;
    /** The longest Retry-After the hub is willing to wait, in milliseconds. */
    maxRetryAfterMs: number;
    /** How often change feeds are polled for cache invalidation, in milliseconds (0 = never). */
    changePollIntervalMs: number;
    /** Consecutive failed calls that open a department's circuit breaker. */
    breakerFailures: number;
    /** How long an open breaker pauses calls before a trial, ms. */
    breakerOpenMs: number;
    /** Repeats of a read a department could not serve (5xx, refused, reset). */
    readRetries: number;
    /** First pause before such a repeat, ms (doubles, ±50% jitter). */
    retryBaseMs: number;
    /** Calls that may wait for one of a department's slots (the bulkhead's queue); each waits at most timeoutMs. */
    maxWaiting: number;
    /** Per-department overrides (DEPT_<CODE>_<SETTING>), by department code. */
    policies: Record<string, DepartmentPolicy>;
  };
  /** PostgreSQL for the case ledger; unset = PGlite persisted under dataDir. */
  databaseUrl: string | null;
  /** Where PGlite keeps its files (null = in memory, for tests). */
  dataDir: string | null;
  /** Catalogue imported at start when the database has none (the sample catalogue by default). */
  catalogueFile: string;
  /** CATALOGUE_FILE was not set: the sample catalogue (development), refused for an empty ledger in production. */
  catalogueIsDefaultSample: boolean;
  outbox: OutboxOptions;
  /** How long submitCase waits for an instant item's department before the outbox takes over, ms. */
  instantBudgetMs: number;
  /** 不予受理: the appeal notice given with every decision (行政许可法 art. 38): where and how long to appeal. */
  appealNotice: string;
  /** Bearer token `/metrics` asks for; null = open, like /healthz (the hub sits on the private network). */
  metricsToken: string | null;
  /** Origins whose browser front-ends may call /graphql (exact `scheme://host[:port]`); none = same origin only. */
  corsOrigins: string[];
  remote: {
    /** The hub's private signing key (JWK JSON); unset = one generated per process. */
    signingKey: string | null;
    /** Keys published in the JWKS besides the signing one, for rotation (JSON array of JWKs). */
    signingKeysPublished: string | null;
    heartbeatIntervalSeconds: number;
    /** How often a replica reads the adapter registry and liveness, ms. */
    syncMs: number;
    /** Accept http:// base URLs (development and tests only; logged loudly). */
    allowInsecureHttp: boolean;
    probeTimeoutMs: number;
  };
  auth: {
    jwksUrl: string | null;
    jwksFile: string | null;
    issuer: string;
    audience: string;
    algorithms: string[];
    /** The development issuer (tokens printed at `npm start`); refused in production unless allowed. */
    devIssuer: boolean;
    devIssuerAllowedInProduction: boolean;
    devKeyFile: string;
    production: boolean;
    /** GraphQL introspection: on in development, off in production unless set. */
    introspection: boolean;
    /** Requests per principal per minute, shared by the replicas through the cache store. */
    rateLimitPerMinute: number;
  };
  audit: {
    /** Secret of the keyed hash that names residents in the audit log; must stay the same for the log's life. */
    keySecret: string | null;
    keyFile: string;
    retentionDays: number;
    /** Where audit records wait while PostgreSQL is unreachable (one file per replica). */
    spoolFile: string;
    /** Largest spool, in bytes; beyond it answers with personal data are withheld. */
    spoolMaxBytes: number;
  };
  /** One DataLoader batch per department per tick; off only to measure what batching saves. */
  batching: boolean;
  /** Adapter settings (department URLs and credentials), passed to each adapter's parseConfig. */
  adapterEnv: Record<string, string | undefined>;
}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min = 0): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new ConfigError(`${name} must be an integer ≥ ${min}, got "${raw}"`);
  return n;
}

function bool(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new ConfigError(`${name} must be true or false, got "${raw}"`);
}

const POLICY_VARIABLE = new RegExp(`^DEPT_([A-Z0-9_]+?)_(${Object.keys(DEPARTMENT_POLICY_SETTINGS).join('|')})$`);
const POLICY_MINIMUM: Partial<Record<keyof typeof DEPARTMENT_POLICY_SETTINGS, number>> = { TIMEOUT_MS: 1, RETRY_BASE_MS: 1, BREAKER_FAILURES: 1, BREAKER_OPEN_MS: 1, MAX_CONCURRENCY: 1 };

/** DEPT_CIVIL_AFFAIRS_TIMEOUT_MS=4000 → { 'civil-affairs': { timeoutMs: 4000 } }. */
function departmentPolicies(env: NodeJS.ProcessEnv): Record<string, DepartmentPolicy> {
  const policies: Record<string, DepartmentPolicy> = {};
  for (const name of Object.keys(env).sort()) {
    if (!name.startsWith('DEPT_')) continue;
    const m = POLICY_VARIABLE.exec(name);
    if (!m) throw new ConfigError(`${name} is not a department setting: use DEPT_<CODE>_<${Object.keys(DEPARTMENT_POLICY_SETTINGS).join('|')}>`);
    const setting = m[2] as keyof typeof DEPARTMENT_POLICY_SETTINGS;
    const code = m[1]!.toLowerCase().replaceAll('_', '-');
    (policies[code] ??= {})[DEPARTMENT_POLICY_SETTINGS[setting]] = int(env, name, 0, POLICY_MINIMUM[setting] ?? 0);
  }
  return policies;
}

/** CORS_ORIGINS: a comma-separated list of exact origins; `*` is refused (tokens would then be usable from any page). */
function corsOrigins(raw: string | undefined): string[] {
  const list = (raw ?? '').split(',').map((o) => o.trim()).filter(Boolean);
  for (const o of list) {
    let ok = false;
    try {
      ok = new URL(o).origin === o;
    } catch {
      ok = false;
    }
    if (!ok) throw new ConfigError(`CORS_ORIGINS: "${o}" is not an origin (scheme://host[:port], no path, no wildcard)`);
  }
  return list;
}

/** 行政复议法 (2023) art. 20: sixty days; 行政诉讼法 art. 46: six months. A district names its reconsideration body in APPEAL_NOTICE. */
export const DEFAULT_APPEAL_NOTICE = '申请人如对本决定不服，可以自收到本决定之日起六十日内依法申请行政复议，或者自收到本决定之日起六个月内依法向人民法院提起行政诉讼。';

export function loadConfig(env: NodeJS.ProcessEnv = process.env): HubConfig {
  const secret = env.CACHE_KEY_SECRET;
  if (secret !== undefined && secret.length < 16) throw new ConfigError('CACHE_KEY_SECRET must be at least 16 characters');
  if (env.AUDIT_KEY_SECRET !== undefined && env.AUDIT_KEY_SECRET !== '' && env.AUDIT_KEY_SECRET.length < 16) throw new ConfigError('AUDIT_KEY_SECRET must be at least 16 characters');
  return {
    port: int(env, 'PORT', 4000),
    host: env.HOST || '127.0.0.1',
    redisUrl: env.REDIS_URL || null,
    cache: {
      enabled: bool(env, 'CACHE_ENABLED', true),
      keySecret: secret ?? randomBytes(32).toString('hex'),
      keySecretGenerated: secret === undefined,
      keyPrefix: env.CACHE_KEY_PREFIX || 'owh:v1:',
      maxTtlSeconds: int(env, 'CACHE_MAX_TTL_SECONDS', 0),
      negativeTtlSeconds: int(env, 'CACHE_NEGATIVE_TTL_SECONDS', 60),
      staleIfErrorSeconds: int(env, 'CACHE_STALE_IF_ERROR_SECONDS', 3600),
      memoryMaxEntries: int(env, 'CACHE_MEMORY_MAX_ENTRIES', 200_000, 1),
      encryptionKeys: env.CACHE_ENCRYPTION_KEYS || null,
      allowPlaintext: bool(env, 'CACHE_ALLOW_PLAINTEXT', false),
    },
    departments: {
      timeoutMs: int(env, 'DEPARTMENT_TIMEOUT_MS', 2500, 1),
      rateLimitRetries: int(env, 'DEPARTMENT_RATE_LIMIT_RETRIES', 2),
      maxRetryAfterMs: int(env, 'DEPARTMENT_MAX_RETRY_AFTER_MS', 3000),
      changePollIntervalMs: int(env, 'CHANGE_POLL_INTERVAL_MS', 2000),
      breakerFailures: int(env, 'DEPARTMENT_BREAKER_FAILURES', 5, 1),
      breakerOpenMs: int(env, 'DEPARTMENT_BREAKER_OPEN_MS', 10_000, 1),
      readRetries: int(env, 'DEPARTMENT_READ_RETRIES', 1),
      retryBaseMs: int(env, 'DEPARTMENT_RETRY_BASE_MS', 100, 1),
      maxWaiting: int(env, 'DEPARTMENT_MAX_WAITING', 1000),
      policies: departmentPolicies(env),
    },
    databaseUrl: env.DATABASE_URL || null,
    dataDir: env.DATA_DIR === 'memory' ? null : env.DATA_DIR || 'data/pglite',
    catalogueFile: env.CATALOGUE_FILE || SAMPLE_CATALOGUE,
    catalogueIsDefaultSample: !env.CATALOGUE_FILE,
    outbox: {
      ...DEFAULT_OUTBOX,
      pollMs: int(env, 'OUTBOX_POLL_MS', DEFAULT_OUTBOX.pollMs),
      statusSyncMs: int(env, 'STATUS_SYNC_MS', DEFAULT_OUTBOX.statusSyncMs),
      statusSyncBatch: int(env, 'STATUS_SYNC_BATCH', DEFAULT_OUTBOX.statusSyncBatch, 1),
      leaseMs: int(env, 'OUTBOX_LEASE_MS', DEFAULT_OUTBOX.leaseMs, 100),
      timeoutMs: int(env, 'OUTBOX_TIMEOUT_MS', DEFAULT_OUTBOX.timeoutMs, 1),
      baseBackoffMs: int(env, 'OUTBOX_BASE_BACKOFF_MS', DEFAULT_OUTBOX.baseBackoffMs, 1),
      maxBackoffMs: int(env, 'OUTBOX_MAX_BACKOFF_MS', DEFAULT_OUTBOX.maxBackoffMs, 1),
      maxAttempts: int(env, 'OUTBOX_MAX_ATTEMPTS', DEFAULT_OUTBOX.maxAttempts, 1),
    },
    instantBudgetMs: int(env, 'INSTANT_BUDGET_MS', 1500, 1),
    appealNotice: env.APPEAL_NOTICE?.trim() || DEFAULT_APPEAL_NOTICE,
    metricsToken: env.METRICS_TOKEN || null,
    corsOrigins: corsOrigins(env.CORS_ORIGINS),
    remote: {
      signingKey: env.HUB_SIGNING_KEY || null,
      signingKeysPublished: env.HUB_SIGNING_KEYS_PUBLISHED || null,
      heartbeatIntervalSeconds: int(env, 'HEARTBEAT_INTERVAL_SECONDS', 10, 1),
      syncMs: int(env, 'REGISTRY_SYNC_MS', 2000, 50),
      allowInsecureHttp: bool(env, 'REMOTE_ADAPTERS_ALLOW_HTTP', false),
      probeTimeoutMs: int(env, 'REGISTRATION_PROBE_TIMEOUT_MS', 3000, 1),
    },
    auth: {
      jwksUrl: env.AUTH_JWKS_URL || null,
      jwksFile: env.AUTH_JWKS_FILE || null,
      issuer: env.AUTH_ISSUER || 'owh-dev-issuer',
      audience: env.AUTH_AUDIENCE || 'one-window-hub',
      algorithms: (env.AUTH_ALGORITHMS || 'ES256,RS256').split(',').map((a) => a.trim()).filter((a) => a && a.toLowerCase() !== 'none'),
      devIssuer: bool(env, 'AUTH_DEV_ISSUER', false),
      devIssuerAllowedInProduction: bool(env, 'AUTH_DEV_ISSUER_ALLOW_IN_PRODUCTION', false),
      devKeyFile: env.AUTH_DEV_KEY_FILE || 'data/dev-issuer-key.json',
      production: env.NODE_ENV === 'production',
      introspection: bool(env, 'GRAPHQL_INTROSPECTION', env.NODE_ENV !== 'production'),
      rateLimitPerMinute: int(env, 'RATE_LIMIT_PER_MINUTE', 600, 1),
    },
    audit: {
      keySecret: env.AUDIT_KEY_SECRET || null,
      keyFile: env.AUDIT_KEY_FILE || 'data/audit-key.txt',
      retentionDays: int(env, 'AUDIT_RETENTION_DAYS', 180, 180),
      spoolFile: env.AUDIT_SPOOL_FILE || 'data/audit-spool.jsonl',
      spoolMaxBytes: int(env, 'AUDIT_SPOOL_MAX_BYTES', 64 * 1024 * 1024),
    },
    batching: bool(env, 'BATCHING_ENABLED', true),
    adapterEnv: { ...env },
  };
}
