/**
 * 住房保障 — housing security, the department that joins at run time (not one of the six the hub
 * ships with). JSON; batch of at most 40 ID numbers; public rental housing (公租房) and rent
 * subsidies (租金补贴), mostly for low-income households.
 */
import { createHash } from 'node:crypto';
import type { Person, World } from '../data/world.js';
import { jsonBody, openapi, Simulator, type FaultOptions } from '../sim/simulator.js';

export const HOUSING_BATCH_LIMIT = 40;

/** The housing benefits of a person's household, derived from the household number (stable for a seed). */
export function housingOf(p: Person): { type: string; status: string; amount: number | null; from: string }[] {
  const h = createHash('sha256').update(p.householdNo).digest().readUInt16BE(0) / 65536;
  const lowIncome = p.civil.benefits.some((b) => b.kind === 'LOW_INCOME_ALLOWANCE');
  const out = [];
  if (lowIncome && h < 0.6) out.push({ type: 'RENT_SUBSIDY', status: '正常', amount: 800 + Math.round(h * 1000), from: '2024-01-01' });
  if (h > 0.985) out.push({ type: 'PUBLIC_RENTAL', status: '正常', amount: null, from: '2022-07-01' });
  return out;
}

export function createHousingSimulator(world: World, faults: Partial<FaultOptions> = {}): Simulator {
  const sim = new Simulator('housing', faults, {});
  sim.route('POST', '/api/zfbz/query', 'query', (req) => {
    const parsed = jsonBody<{ ids?: unknown }>(req);
    if (!parsed.ok) return parsed.response;
    const ids = parsed.value.ids;
    if (!Array.isArray(ids) || ids.length > HOUSING_BATCH_LIMIT) return { status: 400, body: { ok: false, msg: `ids: a list of at most ${HOUSING_BATCH_LIMIT}` } };
    sim.recordBatch('query', ids.length);
    return { status: 200, body: { ok: true, rows: ids.flatMap((id) => { const p = world.byId.get(String(id)); return p ? [{ sfzh: p.idNumber, items: housingOf(p) }] : []; }) } };
  });
  sim.route('GET', '/openapi.json', 'openapi', () => ({ status: 200, body: openapi('住房保障 housing security', { '/api/zfbz/query': { post: { summary: `Housing benefits by ID number, at most ${HOUSING_BATCH_LIMIT}`, responses: { '200': { description: '{ok:true,rows:[{sfzh,items:[{type,status,amount,from}]}]}' } } } } }) }));
  return sim;
}
