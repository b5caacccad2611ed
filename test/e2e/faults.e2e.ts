/**
 * Each department in turn misbehaves — answers slowly past the timeout, bursts 503s, resets the
 * connection, sends garbage, dribbles its answer — and the hub keeps serving the others: the
 * faulty department is UNAVAILABLE (or STALE from the cache), everyone else's data arrives, the
 * breaker opens and recovers, and nothing crashes. A batch answer with a record too many (for
 * somebody not asked about) is refused whole. Memory and open handles stay flat across rounds of faults.
 */
import { runInNewContext } from 'node:vm';
import v8 from 'node:v8';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEPARTMENT_CODES } from '../../mocks/index.js';
import type { FaultOptions } from '../../mocks/sim/simulator.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';

const FAULTS: Record<string, Partial<FaultOptions>> = {
  slow: { latencyMs: 600 },
  '5xx burst': { failRate: 1 },
  'connection reset': { resetRate: 1 },
  garbage: { garbageRate: 1 },
  dribbling: { dribbleMs: 80 },
  'wrong-length batch': { wrongBatchRate: 1 },
};

describe('fault injection, department by department', () => {
  let t: TestHub;
  const unhandled: unknown[] = [];
  const onUnhandled = (err: unknown) => unhandled.push(err);
  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled);
    t = await startTestHub({ env: { DEPARTMENT_TIMEOUT_MS: '400', CACHE_ENABLED: 'false', DEPARTMENT_BREAKER_FAILURES: '100' } });
  });
  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled);
    await t?.close();
  });

  const q = `query($id: ID!) { resident(idNumber: $id) { name entitlements { department { code } } sources { department { code } state } } }`;
  let n = 0;

  for (const [fault, options] of Object.entries(FAULTS)) {
    it(`${fault}: the others still answer`, async () => {
      for (const code of DEPARTMENT_CODES) {
        const sim = t.sims.sims[code];
        const p = t.sims.world.people[100 + n++]!;
        sim.configure(options);
        try {
          const { status, body } = await t.gql(q, { id: p.idNumber });
          expect(status).toBe(200);
          if (code === 'population') {
            expect(body.data.resident).toBeNull(); // no registry record, no resident — with its error
            expect(body.errors[0].extensions).toMatchObject({ code: 'DEPARTMENT_UNAVAILABLE', department: 'population' });
            continue;
          }
          expect(body.data.resident.name).toBe(p.name);
          const states = Object.fromEntries(body.data.resident.sources.map((s: any) => [s.department.code, s.state]));
          for (const other of DEPARTMENT_CODES) {
            // health needs the registry only; everyone but the faulty one is fresh
            expect([fault, code, other, states[other]]).toEqual([fault, code, other, other === code ? 'UNAVAILABLE' : 'FRESH']);
          }
          expect(body.errors.some((e: any) => e.extensions.department === code)).toBe(true);
        } finally {
          sim.configure({ ...options, ...Object.fromEntries(Object.keys(options).map((k) => [k, k === 'down' ? false : 0])) });
        }
      }
      expect(unhandled).toEqual([]);
    }, 60_000);
  }

  it('the breaker opens on a failing department and closes when it recovers', async () => {
    const hub = await startTestHub({ env: { DEPARTMENT_BREAKER_FAILURES: '3', DEPARTMENT_BREAKER_OPEN_MS: '300', DEPARTMENT_READ_RETRIES: '0', CACHE_ENABLED: 'false' } });
    try {
      const sim = hub.sims.sims['civil-affairs'];
      sim.configure({ down: true });
      for (let i = 0; i < 3; i++) await hub.gql(q, { id: hub.sims.world.people[i]!.idNumber });
      const status = async () => ((await hub.gql(`{ departments { code status } }`)).body.data.departments as any[]).find((d) => d.code === 'civil-affairs').status;
      expect(await status()).toBe('DOWN');
      const callsWhenOpen = sim.totalCalls();
      await hub.gql(q, { id: hub.sims.world.people[5]!.idNumber });
      expect(sim.totalCalls()).toBe(callsWhenOpen); // left alone while open
      sim.configure({ down: false });
      await new Promise((r) => setTimeout(r, 350));
      const { body } = await hub.gql(q, { id: hub.sims.world.people[6]!.idNumber });
      expect(body.data.resident.sources.find((s: any) => s.department.code === 'civil-affairs').state).toBe('FRESH');
      expect(await status()).toBe('DEGRADED'); // closed again; DEGRADED for a while after failures
    } finally {
      await hub.close();
    }
  });

  it('memory and open handles do not grow across repeated rounds of faults', async () => {
    v8.setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const hub = await startTestHub({ env: { DEPARTMENT_TIMEOUT_MS: '150', CACHE_ENABLED: 'false', DEPARTMENT_BREAKER_FAILURES: '100000', DEPARTMENT_RETRY_BASE_MS: '5' } });
    try {
      const quick: Record<string, Partial<FaultOptions>> = { ...FAULTS, slow: { latencyMs: 250 }, dribbling: { dribbleMs: 30 } };
      const others = DEPARTMENT_CODES.filter((c) => c !== 'population');
      let k = 0;
      const round = async () => {
        for (const [, options] of Object.entries(quick)) {
          // every department but the registry faulty at once, then the registry alone
          for (const faulty of [others, ['population']]) {
            for (const c of faulty) hub.sims.sims[c].configure(options);
            const answers = await Promise.all(Array.from({ length: 10 }, () => hub.gql(q, { id: hub.sims.world.people[k++ % 2000]!.idNumber })));
            expect(answers.every((a) => a.status === 200)).toBe(true);
            for (const c of faulty) hub.sims.sims[c].configure({ ...Object.fromEntries(Object.keys(options).map((key) => [key, 0])) });
          }
        }
      };
      const measure = async () => {
        await new Promise((r) => setTimeout(r, 300)); // let dribbles and sockets settle
        gc();
        gc();
        return { heap: process.memoryUsage().heapUsed, handles: (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles().length };
      };
      for (let i = 0; i < 2; i++) await round();
      const before = await measure();
      const requestsBefore = k;
      for (let i = 0; i < 6; i++) await round();
      const after = await measure();
      const growthMb = (after.heap - before.heap) / 1024 / 1024;
      console.log(`faults: ${k - requestsBefore} faulted requests after warm-up; heap ${(before.heap / 1048576).toFixed(1)} → ${(after.heap / 1048576).toFixed(1)} MB; handles ${before.handles} → ${after.handles}`);
      expect(growthMb).toBeLessThan(6); // < ~8 KB per faulted request (the test's own log lines are part of it)
      expect(after.handles - before.handles).toBeLessThanOrEqual(4);
      for (const g of hub.hub.registry.all()) expect([g.code, g.bulkhead]).toEqual([g.code, { active: 0, waiting: 0 }]);
      expect(unhandled).toEqual([]);
    } finally {
      await hub.close();
    }
  }, 180_000);
});
