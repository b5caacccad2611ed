/**
 * 残联 — disabled persons' federation. JSON; certificates (残疾人证号 = ID number + category digit +
 * grade digit), looked up by ID number, at most 50 a call; 两项补贴 (living and nursing subsidies).
 * Flaky by default: a few percent of calls answer 503 and a few are slow (see DEFAULT_FAULTS).
 */
import type { World } from '../data/world.js';
import { parseStatus, setBenefit } from '../data/benefits.js';
import { addCaseDesk } from '../sim/case-desk.js';
import { jsonBody, openapi, Simulator, batchAnswer, type FaultOptions, type SimResponse } from '../sim/simulator.js';

export const DISABLED_BATCH_LIMIT = 50;
export const DISABLED_DEFAULT_FAULTS: Partial<FaultOptions> = { failRate: 0.03, slowRate: 0.03, slowMs: 1500 };
const SUBSIDY_TYPES: Record<string, string> = { DISABILITY_LIVING_SUBSIDY: 'LIVING', DISABILITY_NURSING_SUBSIDY: 'NURSING' };
const STATES: Record<string, string> = { ACTIVE: '发放中', SUSPENDED: '暂停发放', ENDED: '停发', PENDING: '审核中' };

export function createDisabledPersonsSimulator(world: World, faults: Partial<FaultOptions> = DISABLED_DEFAULT_FAULTS): Simulator {
  const sim = new Simulator('disabled-persons', faults, {});
  sim.route('POST', '/cdpf/api/v1/certificates/query', 'certificates.query', (req) => {
    const parsed = jsonBody<{ idNumbers?: unknown }>(req);
    if (!parsed.ok) return parsed.response;
    const list = parsed.value.idNumbers;
    if (!Array.isArray(list) || list.some((x) => typeof x !== 'string')) return { status: 400, body: { success: false, errorMsg: 'idNumbers must be an array of strings' } };
    if (list.length > DISABLED_BATCH_LIMIT) return { status: 400, body: { success: false, errorMsg: `at most ${DISABLED_BATCH_LIMIT} per call` } };
    sim.recordBatch('certificates.query', list.length);
    const answer = (ids: string[]): SimResponse => ({ status: 200, body: { success: true, data: ids.flatMap((id) => {
      const d = world.byId.get(id)?.disability;
      if (!d) return [];
      return [{
        certNo: d.certificateNo,
        category: d.category,
        grade: d.grade,
        issueDate: d.issuedOn,
        validUntil: d.validUntil,
        subsidies: d.benefits.map((b) => ({ type: SUBSIDY_TYPES[b.kind], state: STATES[b.status], amount: b.monthlyAmount, from: b.startDate })),
      }];
    }) } });
    return batchAnswer(list as string[], world.people, answer, (p) => p.disability !== null);
  });
  sim.route('GET', '/cdpf/api/v1/changes', 'changes', (req) => {
    const { changes, next } = sim.changesSince(Number(req.query.get('cursor') ?? '0'), Math.min(Number(req.query.get('limit') ?? '100'), 500));
    return { status: 200, body: { success: true, data: changes.map((c) => ({ certNo: c.certNo })), cursor: next } };
  });
  sim.route('GET', '/openapi.json', 'openapi', () => ({
    status: 200,
    body: openapi('残联 disabled persons federation', {
      '/cdpf/api/v1/certificates/query': { post: { summary: `Certificates by ID number, at most ${DISABLED_BATCH_LIMIT}`, responses: { '200': { description: '{success:true,data:[{certNo,category,grade,issueDate,validUntil,subsidies:[{type,state,amount,from}]}]}' }, '503': { description: 'flaky' } } } },
      '/cdpf/api/v1/changes': { get: { summary: 'Change feed (certificate numbers)', responses: { '200': { description: '{data:[{certNo}],cursor}' } } } },
    }),
  }));
  sim.control('mutate', (body) => {
    const d = world.byId.get(String(body.idNumber))?.disability;
    const status = parseStatus(body.status);
    if (!d || !status || typeof body.kind !== 'string' || !SUBSIDY_TYPES[body.kind]) return { error: 'need idNumber of a certificate holder, kind and status' };
    setBenefit(d.benefits, body.kind, status, typeof body.monthlyAmount === 'number' ? body.monthlyAmount : undefined);
    sim.emitChange({ certNo: d.certificateNo });
    return { ok: true };
  });
  addCaseDesk(sim, 'CL');
  return sim;
}
