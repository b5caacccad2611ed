/**
 * Each department in turn misbehaves — answers slowly past the timeout, bursts 503s, resets the
 * connection, sends garbage, dribbles its answer — and the hub keeps serving the others: the
 * faulty department is UNAVAILABLE (or STALE from the cache), everyone else's data arrives, the
 * breaker opens and recovers, and nothing crashes.
 */
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
});
