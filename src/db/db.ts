/**
 * The system of record: PostgreSQL through `pg` when DATABASE_URL is set, else PGlite (the same
 * PostgreSQL, in-process) persisted under DATA_DIR. One small interface for both, so every query
 * and every test runs the same SQL on each.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';

export interface QueryResult<T> {
  rows: T[];
  rowCount: number;
}

export interface Queryable {
  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<T>>;
  /** Several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

export interface Db extends Queryable {
  readonly kind: 'postgres' | 'pglite';
  /** Runs `fn` in one transaction: committed when it returns, rolled back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** The Retry-After, in seconds, of a 503 DATABASE_UNAVAILABLE answer. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

/** PostgreSQL is unreachable or refused: callers answer 503 / DATABASE_UNAVAILABLE. */
export class DatabaseUnavailableError extends Error {
  readonly code = 'DATABASE_UNAVAILABLE';
  override name = 'DatabaseUnavailableError';
}

// DATE columns as 'YYYY-MM-DD' strings, not Dates at local midnight.
pg.types.setTypeParser(1082, (v) => v);
// COUNT(*) and other int8 as numbers (our counts stay far below 2^53).
pg.types.setTypeParser(20, (v) => Number(v));

function wrap(err: unknown): unknown {
  const code = (err as { code?: string }).code;
  const message = err instanceof Error ? err.message : '';
  // Codes of the network and of the server going away; pg reports a lost connection and its own
  // timeouts by message only.
  if ((code && /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENOTFOUND|EPIPE|57P0[1-3]|08\d{3})$/.test(code)) || /Connection terminated|Query read timeout|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(message)) {
    return new DatabaseUnavailableError('the database is unavailable', { cause: err });
  }
  return err;
}

export class PostgresDb implements Db {
  readonly kind = 'postgres';
  constructor(readonly pool: pg.Pool) {}

  static connect(url: string, max = 10): PostgresDb {
    // Fail fast when the server is gone: 3 s to connect, 15 s for any one statement (the ledger's
    // statements take milliseconds; a silent network must not hold a request for minutes).
    const pool = new pg.Pool({ connectionString: url, max, connectionTimeoutMillis: 3000, idleTimeoutMillis: 30_000, query_timeout: 15_000 });
    pool.on('error', () => undefined); // an idle client lost its server; the next query reports it
    return new PostgresDb(pool);
  }

  async query<T>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<T>> {
    try {
      const r = await this.pool.query(sql, params as unknown[]);
      return { rows: r.rows as T[], rowCount: r.rowCount ?? 0 };
    } catch (err) {
      throw wrap(err);
    }
  }

  async exec(sql: string): Promise<void> {
    await this.query(sql);
  }

  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      throw wrap(err);
    }
    // A connection lost between two statements is reported as an 'error' event on the client;
    // unheard it would end the process. The next statement (or COMMIT) fails and says so.
    const lost = () => undefined;
    client.on('error', lost);
    const tx: Queryable = {
      query: async <R>(sql: string, params: readonly unknown[] = []) => {
        try {
          const r = await client.query(sql, params as unknown[]);
          return { rows: r.rows as R[], rowCount: r.rowCount ?? 0 };
        } catch (err) {
          throw wrap(err);
        }
      },
      exec: async (sql: string) => {
        try {
          await client.query(sql);
        } catch (err) {
          throw wrap(err);
        }
      },
    };
    let broken = false;
    try {
      await tx.query('BEGIN');
      const result = await fn(tx);
      await tx.query('COMMIT');
      return result;
    } catch (err) {
      broken = err instanceof DatabaseUnavailableError;
      if (!broken) await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.off('error', lost);
      client.release(broken); // a connection that failed is dropped, not handed to the next caller
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/** The embedded ledger is small: modest buffers keep the hub's memory low (PostgreSQL's 128 MB default is for servers). */
const PGLITE_CONF = ['shared_buffers=16MB', 'work_mem=2MB', 'maintenance_work_mem=16MB'];

/**
 * PGlite is one process per data directory: a second one would corrupt it. A lock file with the
 * owner's pid keeps a second hub (or the CLI while a hub runs) out, with a clear message.
 */
function lockDataDir(dataDir: string): () => void {
  const file = join(dataDir, 'owh.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' });
      return () => rmSync(file, { force: true });
    } catch (err) {
      if ((err as { code?: string }).code !== 'EEXIST') throw err;
      const pid = Number(readFileSync(file, 'utf8'));
      let alive = false;
      try {
        alive = pid > 0 && pid !== process.pid && process.kill(pid, 0);
      } catch {
        alive = false;
      }
      if (alive) throw new Error(`the PGlite data directory ${dataDir} is in use by process ${pid} (PGlite is single-process: stop it, or use DATABASE_URL)`);
      rmSync(file, { force: true }); // left by a process that died
    }
  }
  throw new Error(`could not lock ${dataDir}`);
}

export class PGliteDb implements Db {
  readonly kind = 'pglite';
  private constructor(private readonly db: import('@electric-sql/pglite').PGlite, private readonly unlock: () => void = () => undefined) {}

  /**
   * `dataDir` null = in memory (tests). A new data directory is initialised (initdb) in a
   * short-lived child process: WebAssembly memory never shrinks, and initdb's peak would otherwise
   * stay in the hub's RSS for good (~800 MB instead of ~250 MB).
   */
  static async open(dataDir: string | null): Promise<PGliteDb> {
    const { PGlite } = await import('@electric-sql/pglite');
    if (dataDir && !existsSync(join(dataDir, 'PG_VERSION'))) {
      mkdirSync(dataDir, { recursive: true });
      const init = spawnSync(
        process.execPath,
        ['--input-type=module', '-e', `const { PGlite } = await import(${JSON.stringify(pathToFileURL(createRequire(import.meta.url).resolve('@electric-sql/pglite')).href)}); const db = await PGlite.create(process.argv[1], { postgresqlconf: ${JSON.stringify(PGLITE_CONF)} }); await db.close();`, dataDir],
        { stdio: ['ignore', 'ignore', 'pipe'], timeout: 120_000 },
      );
      if (init.status !== 0) throw new Error(`could not initialise the PGlite data directory ${dataDir}: ${init.stderr?.toString().slice(-500)}`);
    }
    const unlock = dataDir ? lockDataDir(dataDir) : undefined;
    try {
      return new PGliteDb(await PGlite.create(dataDir ?? undefined, { postgresqlconf: PGLITE_CONF }), unlock);
    } catch (err) {
      unlock?.();
      throw err;
    }
  }

  async query<T>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<T>> {
    const r = await this.db.query<T>(sql, params as unknown[]);
    return { rows: r.rows, rowCount: r.affectedRows ?? r.rows.length };
  }

  async exec(sql: string): Promise<void> {
    await this.db.exec(sql);
  }

  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.db.transaction(async (t) =>
      fn({
        query: async <R>(sql: string, params: readonly unknown[] = []) => {
          const r = await t.query<R>(sql, params as unknown[]);
          return { rows: r.rows, rowCount: r.affectedRows ?? r.rows.length };
        },
        exec: async (sql: string) => void (await t.exec(sql)),
      }),
    );
  }

  async close(): Promise<void> {
    await this.db.close();
    this.unlock();
  }
}

export async function openDb(databaseUrl: string | null, dataDir: string | null): Promise<Db> {
  return databaseUrl ? PostgresDb.connect(databaseUrl) : PGliteDb.open(dataDir);
}
