/**
 * The adapter contract suite: every adapter — the six bundled ones and housing — answers the
 * same way in-process and served over the remote protocol (SDK on one side, the hub's remote
 * adapter on the other): one result per key, in order, null for people the department does not
 * know, well-formed data, and the same values both ways.
 */
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Adapter, AdapterDefinition, CallContext, ReadCapability } from '../../adapters/contract.js';
import housing from '../../adapters/housing/index.js';
import { BUNDLED_ADAPTERS } from '../../adapters/index.js';
import { registrationOf, serveAdapter, type ServedAdapter } from '../../adapters/sdk/serve.js';
import { createHousingSimulator } from '../../mocks/housing/index.js';
import { departmentUrlEnv } from '../../mocks/index.js';
import type { Simulator } from '../../mocks/sim/simulator.js';
import { validateDepartmentData } from '../../src/departments/validate.js';
import { parseRegistration } from '../../src/remote/protocol.js';
import { remoteAdapter } from '../../src/remote/remote-adapter.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';

describe('adapter contract, in-process and remote', () => {
  let t: TestHub;
  let housingSim: Simulator;
  const dispatcher = new Agent();
  const served: ServedAdapter[] = [];
  let env: Record<string, string>;

  beforeAll(async () => {
    t = await startTestHub({ env: { REMOTE_ADAPTERS_ALLOW_HTTP: 'true' } });
    housingSim = createHousingSimulator(t.sims.world);
    env = {
      ...departmentUrlEnv(t.sims.urls),
      HOUSING_URL: await housingSim.listen(),
    };
  });
  afterAll(async () => {
    for (const s of served) await s.close();
    await housingSim?.close();
    await dispatcher.close();
    await t?.close();
  });

  const unknown = '11010519491231002X';
  const population = () => BUNDLED_ADAPTERS[0]!.create(BUNDLED_ADAPTERS[0]!.parseConfig(env), { dispatcher });
  /** The residents lookup a hub (or a department running health remotely) provides. */
  const residents: CallContext['residents'] = async (ids) => {
    const answers = await population().fetchers.persons!.batch(ids, ctx());
    return answers.map((a) => (a instanceof Error ? a : (a?.resident ?? null)));
  };
  const ctx = (): CallContext => ({ signal: AbortSignal.timeout(10_000), requestId: 'contract', operator: 'contract-suite', purpose: 'contract test', residents });

  /** What each read capability answers for these ids, via the adapter's fetchers. */
  async function answers(adapter: Adapter, ids: string[]) {
    const out: Record<string, unknown[]> = {};
    for (const cap of ['residents', 'entitlements', 'evidence'] as ReadCapability[]) {
      const fetcherName = adapter.capabilities[cap];
      if (!fetcherName) continue;
      const f = adapter.fetchers[fetcherName]!;
      const got = await f.batch(ids.slice(0, f.batchLimit), ctx());
      expect(got, `${adapter.department.code}.${cap}: one result per key`).toHaveLength(Math.min(ids.length, f.batchLimit));
      got.forEach((slot, i) => {
        expect(slot instanceof Error, `${adapter.department.code}.${cap}[${i}] failed: ${slot instanceof Error ? slot.message : ''}`).toBe(false);
        if (slot) expect(validateDepartmentData(slot, ids[i]!), `${adapter.department.code}.${cap}[${i}]`).toBeNull();
      });
      out[cap] = got.map((slot) => (slot && (slot as Record<string, unknown>)[cap === 'residents' ? 'resident' : cap]) ?? null);
    }
    return out;
  }

  const definitions = () => [...BUNDLED_ADAPTERS, housing] as AdapterDefinition<unknown>[];
  it.each(['population', 'social-insurance', 'medical-insurance', 'civil-affairs', 'health', 'disabled-persons', 'housing'])('%s', async (code) => {
    const def = definitions().find((d) => d.department.code === code)!;
    const local = def.create(def.parseConfig(env), { dispatcher });
    const ids = [...t.sims.world.people.slice(0, 5).map((p) => p.idNumber), unknown];
    const inProcess = await answers(local, ids);
    if (local.capabilities.residents) expect(inProcess.residents!.at(-1)).toBeNull();

    const s = await serveAdapter(local, { hubUrl: t.hub.url, credential: 'unused', register: false, residents });
    served.push(s);
    const probe = (await (await fetch(`${s.url}/v1/capabilities`, { headers: { authorization: `Bearer ${await t.hub.keys.sign(code, 'test')}` } })).json()) as unknown;
    const reg = parseRegistration(probe, true);
    expect(reg).toEqual(parseRegistration(registrationOf(local, s.url), true));
    const remote = remoteAdapter(reg, { dispatcher, keys: t.hub.keys, isAlive: () => true, evidenceMaterials: () => t.hub.cases.catalogue.materialsSharedBy(code) });
    const overTheWire = await answers(remote, ids);
    // evidence over the wire is asked per catalogue material; compare what both sides vouch for
    const norm = (x: Record<string, unknown[]>) => JSON.parse(JSON.stringify({ ...x, evidence: x.evidence?.map((e) => ((e as { materialCode: string }[] | null) ?? []).map((v) => v.materialCode).sort()) }));
    expect(norm(overTheWire)).toEqual(norm(inProcess));
  });
});
