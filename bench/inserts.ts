/**
 * The floor for submitCase: the same rows a window submission writes (one case, two events, its
 * materials, one outbox row), inserted in one transaction, as fast as `concurrency` loops can,
 * straight through the driver — no HTTP, no GraphQL, no checks.
 *   node dist/bench/inserts.js <pglite|postgres> <seconds> <concurrency>
 * Prints one JSON line {rps, p50, p99}. PostgreSQL: BENCH_DATABASE_URL (a schema of its own).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { PGliteDb, PostgresDb, type Db } from '../src/db/db.js';
import { migrate } from '../src/db/migrations.js';

const [kind, secondsArg, concurrencyArg] = process.argv.slice(2);
const seconds = Number(secondsArg ?? 5);
const concurrency = Number(concurrencyArg ?? 10);

let db: Db;
let cleanup: () => Promise<void>;
if (kind === 'postgres') {
  const schema = `bench_${randomUUID().replaceAll('-', '')}`;
  const admin = new pg.Client({ connectionString: process.env.BENCH_DATABASE_URL });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  const url = new URL(process.env.BENCH_DATABASE_URL!);
  url.searchParams.set('options', `-c search_path=${schema}`);
  db = PostgresDb.connect(url.toString(), concurrency);
  cleanup = async () => {
    await db.close();
    await admin.query(`drop schema ${schema} cascade`);
    await admin.end();
  };
} else {
  const dir = mkdtempSync(join(tmpdir(), 'owh-bench-inserts-'));
  db = await PGliteDb.open(dir);
  cleanup = async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  };
}
await migrate(db);
await db.query(`insert into service_items (code, name, department, item_type, handling_mode, promised_working_days, max_visits, channels, materials) values ('B-1', 'b', 'civil-affairs', 't', 'PROMISED', 10, 1, '{WINDOW}', '[]')`);

const latencies: number[] = [];
let n = 0;
const end = Date.now() + seconds * 1000;
const loop = async () => {
  while (Date.now() < end) {
    const started = performance.now();
    const caseNo = `B${++n}`;
    await db.transaction(async (tx) => {
      await tx.query(
        `insert into cases (case_no, idempotency_key, request_hash, service_item_code, department, applicant_id_number, channel, handling_mode, status, received_at, accepted_at, promised_by, window_code, deferred_material_codes)
         values ($1, $2, 'h', 'B-1', 'civil-affairs', '11010519491231002X', 'WINDOW', 'PROMISED', 'ACCEPTED', now(), now(), now() + interval '14 days', 'W1', '{}')`,
        [caseNo, randomUUID()],
      );
      for (const [type, from, to] of [['RECEIVED', null, 'RECEIVED'], ['ACCEPTED', 'RECEIVED', 'ACCEPTED']]) {
        await tx.query(`insert into case_events (case_no, type, from_status, to_status, actor, place) values ($1, $2, $3, $4, 'bench', 'window:W1')`, [caseNo, type, from, to]);
      }
      for (const code of ['INCOME_PROOF', 'APPLICATION_FORM', 'ID_CARD', 'HOUSEHOLD_REGISTER']) {
        await tx.query(`insert into case_materials (case_no, code, reference, form, provenance) values ($1, $2, 'ref', 'ORIGINAL', 'WINDOW_VERIFIED')`, [caseNo, code]);
      }
      await tx.query(`insert into outbox (case_no, department, state) values ($1, 'civil-affairs', 'PENDING')`, [caseNo]);
    });
    latencies.push(performance.now() - started);
  }
};
await Promise.all(Array.from({ length: concurrency }, loop));
latencies.sort((a, b) => a - b);
const pct = (p: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]! * 10) / 10;
process.stdout.write(JSON.stringify({ rps: Math.round(latencies.length / seconds), p50: pct(50), p99: pct(99), transactions: latencies.length }) + '\n');
await cleanup();
