/**
 * 卫健/计生 — health commission, family planning. JSON keyed by household number (户号 hh) and
 * member number (成员序号 cyxh), not by ID number: whoever asks must know the household first
 * (from the population registry). At most 30 members a call. Records: 独生子女父母奖励 (DSZN),
 * 计划生育特殊家庭扶助 (TF), 生育登记 (SYDJ).
 */
import type { World } from '../data/world.js';
import { parseStatus, setBenefit } from '../data/benefits.js';
import { addCaseDesk } from '../sim/case-desk.js';
import { jsonBody, openapi, Simulator, type FaultOptions, type SimResponse } from '../sim/simulator.js';

export const HEALTH_BATCH_LIMIT = 30;
export const HEALTH_CODES: Record<string, string> = { ONE_CHILD_PARENT_REWARD: 'DSZN', FAMILY_PLANNING_SPECIAL_SUPPORT: 'TF', BIRTH_REGISTRATION: 'SYDJ' };
const STATUS_WORDS: Record<string, string> = { ACTIVE: '享受中', SUSPENDED: '暂停', ENDED: '已结束', PENDING: '审核中' };

export function createHealthSimulator(world: World, faults: Partial<FaultOptions> = {}): Simulator {
  const sim = new Simulator('health', faults, {});
  sim.route('POST', '/wjw/api/family/members', 'members.query', (req) => {
    const parsed = jsonBody<{ members?: unknown }>(req);
    if (!parsed.ok) return parsed.response;
    const list = parsed.value.members;
    if (!Array.isArray(list) || list.some((m) => typeof m?.hh !== 'string' || typeof m?.cyxh !== 'string')) {
      return { status: 400, body: { status: 'fail', message: 'members 应为 [{hh, cyxh}]' } };
    }
    if (list.length > HEALTH_BATCH_LIMIT) return { status: 400, body: { status: 'fail', message: `每次不超过${HEALTH_BATCH_LIMIT}名成员` } };
    sim.recordBatch('members.query', list.length);
    const answer = (members: { hh: string; cyxh: string }[]): SimResponse => ({ status: 200, body: { status: 'success', result: members.flatMap(({ hh, cyxh }) => {
      const p = world.byHousehold.get(hh)?.find((m) => String(m.memberNo) === cyxh);
      if (!p) return [];
      return [{
        hh,
        cyxh,
        xm: p.name,
        sfzh: p.idNumber,
        records: p.health.benefits.map((b) => ({ xmdm: HEALTH_CODES[b.kind], zt: STATUS_WORDS[b.status], je: b.monthlyAmount ?? null, ksrq: b.startDate ?? null, jsrq: b.endDate ?? null })),
      }];
    }) } });
    const asked = list as { hh: string; cyxh: string }[];
    const wrongBatch = () => {
      const other = world.people.find((p) => !asked.some((m) => m.hh === p.householdNo && m.cyxh === String(p.memberNo)))!;
      return answer([...asked, { hh: other.householdNo, cyxh: String(other.memberNo) }]);
    };
    return { ...answer(asked), wrongBatch };
  });
  sim.route('GET', '/wjw/api/changes', 'changes', (req) => {
    const { changes, next } = sim.changesSince(Number(req.query.get('cursor') ?? '0'), Math.min(Number(req.query.get('limit') ?? '100'), 500));
    return { status: 200, body: { status: 'success', result: changes.map((c) => ({ hh: c.hh, cyxh: c.cyxh, sfzh: c.sfzh })), cursor: next } };
  });
  sim.route('GET', '/openapi.json', 'openapi', () => ({
    status: 200,
    body: openapi('卫健/计生 health & family planning', {
      '/wjw/api/family/members': { post: { summary: `Members by household number + member number, at most ${HEALTH_BATCH_LIMIT}`, responses: { '200': { description: '{status:"success",result:[{hh,cyxh,xm,sfzh,records:[{xmdm,zt,je,ksrq,jsrq}]}]}' } } } },
      '/wjw/api/changes': { get: { summary: 'Change feed', responses: { '200': { description: '{result:[{hh,cyxh,sfzh}],cursor}' } } } },
    }),
  }));
  sim.control('mutate', (body) => {
    const p = world.byId.get(String(body.idNumber));
    const status = parseStatus(body.status);
    if (!p || !status || typeof body.kind !== 'string' || !HEALTH_CODES[body.kind]) return { error: 'need idNumber, kind and status' };
    setBenefit(p.health.benefits, body.kind, status, typeof body.monthlyAmount === 'number' ? body.monthlyAmount : undefined);
    sim.emitChange({ hh: p.householdNo, cyxh: String(p.memberNo), sfzh: p.idNumber });
    return { ok: true };
  });
  addCaseDesk(sim, 'WJ');
  return sim;
}
