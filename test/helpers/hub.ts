/**
 * Starts the six simulators and a hub wired to them over real HTTP, with the chosen cache store:
 * the in-process one, or the Redis server at REDIS_URL (each test hub under its own key prefix).
 */
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TokenClaims } from '../../src/auth/dev-issuer.js';
import { Redis } from 'ioredis';
import { departmentUrlEnv, startSimulators, type RunningSimulators, type SimulatorsOptions } from '../../mocks/index.js';
import pg from 'pg';
import { CacheCipher } from '../../src/cache/crypto.js';
import { RedisStore } from '../../src/cache/redis.js';
import { PGliteDb, PostgresDb, type Db } from '../../src/db/db.js';
import { MemoryStore, type CacheStore } from '../../src/cache/store.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { startHub, type Hub } from '../../src/server.js';

export type StoreKind = 'memory' | 'redis';

/** The stores every cache-touching suite runs on: memory always, Redis when REDIS_URL is set. */
export const STORES: StoreKind[] = process.env.REDIS_URL ? ['memory', 'redis'] : ['memory'];

export type DbKind = 'pglite' | 'postgres';
/** The databases every ledger suite runs on: PGlite always, PostgreSQL when DATABASE_URL is set. */
export const DBS: DbKind[] = process.env.DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];

/**
 * A fresh, empty ledger: PGlite in memory, or a schema of its own in the PostgreSQL at
 * DATABASE_URL (dropped by `drop`), so suites run in parallel without seeing each other's rows.
 */
export async function freshDb(kind: DbKind): Promise<{ db: Db; url: string | null; drop(): Promise<void> }> {
  if (kind === 'pglite') {
    const db = await PGliteDb.open(null);
    return { db, url: null, drop: () => db.close() };
  }
  const schema = `t_${randomUUID().replaceAll('-', '')}`;
  const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const url = new URL(process.env.DATABASE_URL!);
  url.searchParams.set('options', `-c search_path=${schema}`);
  const db = PostgresDb.connect(url.toString(), 5);
  return {
    db,
    url: url.toString(),
    async drop() {
      await db.close();
      const c = new pg.Client({ connectionString: process.env.DATABASE_URL });
      await c.connect();
      await c.query(`drop schema ${schema} cascade`);
      await c.end();
    },
  };
}

export interface TestHub {
  hub: Hub;
  /** The hub's database connection. */
  db: Db;
  /** A connection of the test's own, not through `dbVia` (to look at the rows while the hub's is cut). */
  directDb: Db;
  /** A bearer token from the development issuer (tests use it as they would a real one). */
  token(claims: TokenClaims): Promise<string>;
  sims: RunningSimulators;
  store: CacheStore;
  prefix: string;
  logs: string[];
  gql<T = any>(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<{ status: number; body: { data?: T; errors?: any[] } }>;
  /** Department calls received since the last reset, per department. */
  calls(): Record<string, number>;
  resetCounters(): void;
  close(): Promise<void>;
}

export interface TestHubOptions {
  store?: StoreKind;
  db?: DbKind;
  sims?: SimulatorsOptions;
  env?: Record<string, string>;
  /** Rewrites the Redis / PostgreSQL URL the hub connects to (e.g. through a TcpProxy); the test's own cleanup connects directly. */
  redisVia?: (url: string) => string;
  dbVia?: (url: string) => string;
}

export async function startTestHub(options: TestHubOptions = {}): Promise<TestHub> {
  const ledger = await freshDb(options.db ?? 'pglite');
  const hubDb = options.dbVia && ledger.url ? PostgresDb.connect(options.dbVia(ledger.url), 5) : ledger.db;
  const sims = await startSimulators({ faults: false, world: { count: 2000 }, ...options.sims });
  const prefix = `owh:test:${randomUUID()}:`;
  // Redis with the hub's own connection options (no offline queue: commands fail fast while it is away).
  const store: CacheStore = options.store === 'redis' ? RedisStore.connect((options.redisVia ?? String)(process.env.REDIS_URL!), new CacheCipher(`t1:${CacheCipher.generateKey()}`)) : new MemoryStore();
  if (store instanceof RedisStore) await store.ready();
  const logs: string[] = [];
  const env = {
    PORT: '0',
    ...departmentUrlEnv(sims.urls),
    CACHE_KEY_PREFIX: prefix,
    CHANGE_POLL_INTERVAL_MS: '0',
    OUTBOX_POLL_MS: '0',
    STATUS_SYNC_MS: '0',
    AUTH_DEV_ISSUER: 'true',
    AUDIT_KEY_SECRET: randomUUID(),
    RATE_LIMIT_PER_MINUTE: '1000000',
    AUTH_DEV_KEY_FILE: join(tmpdir(), `owh-test-issuer-${randomUUID()}.json`),
    AUDIT_SPOOL_FILE: join(tmpdir(), `owh-test-spool-${randomUUID()}.jsonl`),
    ...options.env,
  };
  if (store instanceof RedisStore) store.client.on('error', () => undefined);
  const hub = await startHub(loadConfig(env), { cache: store, db: hubDb, log: createLogger('debug', (l) => logs.push(l)) });
  const token = (claims: TokenClaims) => hub.devIssuer!.mint(claims);
  // Most tests act as an administrator at window W1; tests about roles pass their own token.
  const adminToken = await token({ role: 'admin', sub: 'test-admin', window: 'W1' });
  return {
    hub,
    db: hubDb,
    directDb: ledger.db,
    token,
    sims,
    store,
    prefix,
    logs,
    async gql(query, variables, headers = {}) {
      const res = await fetch(hub.graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-purpose': 'test', authorization: `Bearer ${adminToken}`, ...headers },
        body: JSON.stringify({ query, variables }),
      });
      return { status: res.status, body: (await res.json()) as any };
    },
    calls() {
      return Object.fromEntries(Object.entries(sims.sims).map(([code, s]) => [code, s.totalCalls()]));
    },
    resetCounters() {
      for (const s of Object.values(sims.sims)) s.resetCounters();
    },
    async close() {
      await hub.stop();
      // Every suite that runs a test hub also scans its log: no ID number or phone number of
      // anybody in the synthetic population may appear in it, whatever the suite did.
      const leaked = personalDataIn(logs.join('\n'), sims.world.people);
      await sims.close();
      if (hubDb !== ledger.db) await hubDb.close();
      await ledger.drop();
      rmSync(env.AUTH_DEV_KEY_FILE, { force: true });
      rmSync(env.AUDIT_SPOOL_FILE, { force: true });
      if (store instanceof RedisStore) {
        const direct = new Redis(process.env.REDIS_URL!);
        for await (const keys of direct.scanStream({ match: `${prefix}*`, count: 500 })) {
          if ((keys as string[]).length) await direct.del(...(keys as string[]));
        }
        direct.disconnect();
      }
      await store.close();
      if (leaked) throw new Error(`the hub's log carries personal data of ${leaked} resident(s) (an ID number or phone number): find the log line that prints it`);
    },
  };
}

/** How many of `people` a text names by ID number or phone number (log scans). */
export function personalDataIn(text: string, people: readonly { idNumber: string; phone: string | null }[]): number {
  const seen = new Set(text.match(/\d{17}[\dX]|(?<!\d)1\d{10}(?!\d)/g) ?? []);
  return people.filter((p) => seen.has(p.idNumber) || (p.phone !== null && seen.has(p.phone))).length;
}

/** Polls `f` every 50 ms until it holds; fails naming `what` after `ms`. */
export async function until(what: string, f: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await f())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
