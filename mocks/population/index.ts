/**
 * 人口库 — the district population registry. JSON over HTTP, pinyin field names
 * (sfzh 身份证号, xm 姓名, xb 性别 1/2, csrq 出生日期 YYYYMMDD, lxdh 电话, zz 住址, sqmc 社区,
 * hh 户号, cyxh 成员序号, yhzgx 与户主关系). Batch lookup of at most 50 ID numbers; unknown
 * numbers are simply absent from `data`.
 */
import type { Person, World } from '../data/world.js';
import { addCaseDesk } from '../sim/case-desk.js';
import { jsonBody, openapi, Simulator, batchAnswer, type FaultOptions, type SimResponse } from '../sim/simulator.js';

export const POPULATION_BATCH_LIMIT = 50;

function wire(p: Person) {
  return {
    sfzh: p.idNumber,
    xm: p.name,
    xb: p.gender === 'MALE' ? '1' : '2',
    csrq: p.birthDate.replaceAll('-', ''),
    lxdh: p.phone ?? '',
    zz: p.address,
    sqmc: p.community,
    hh: p.householdNo,
    cyxh: String(p.memberNo),
    yhzgx: p.relation,
  };
}

export function createPopulationSimulator(world: World, faults: Partial<FaultOptions> = {}): Simulator {
  const sim = new Simulator('population', faults, {});
  sim.route('POST', '/api/v2/persons/batch', 'persons.batch', (req) => {
    const parsed = jsonBody<{ sfzhList?: unknown }>(req);
    if (!parsed.ok) return parsed.response;
    const list = parsed.value.sfzhList;
    if (!Array.isArray(list) || list.some((x) => typeof x !== 'string')) {
      return { status: 400, body: { code: 4000, message: 'sfzhList 必须是字符串数组' } };
    }
    if (list.length > POPULATION_BATCH_LIMIT) {
      return { status: 400, body: { code: 4001, message: `批量查询不得超过${POPULATION_BATCH_LIMIT}条` } };
    }
    sim.recordBatch('persons.batch', list.length);
    const answer = (ids: string[]): SimResponse => ({ status: 200, body: { code: 0, message: 'ok', data: ids.flatMap((id) => {
      const p = world.byId.get(id);
      return p ? [wire(p)] : [];
    }) } });
    return batchAnswer(list, world.people, answer);
  });
  sim.route('GET', '/api/v2/changes', 'changes', (req) => {
    const since = Number(req.query.get('since') ?? '0');
    const limit = Math.min(Number(req.query.get('limit') ?? '100'), 500);
    const { changes, next } = sim.changesSince(since, limit);
    return { status: 200, body: { code: 0, data: changes.map((c) => ({ seq: c.seq, sfzh: c.sfzh, bglx: c.bglx, bgsj: c.at })), next } };
  });
  sim.route('GET', '/openapi.json', 'openapi', () => ({
    status: 200,
    body: openapi('人口库 population registry', {
      '/api/v2/persons/batch': { post: { summary: `Batch lookup, at most ${POPULATION_BATCH_LIMIT} ID numbers`, requestBody: { content: { 'application/json': { schema: { type: 'object', required: ['sfzhList'], properties: { sfzhList: { type: 'array', maxItems: POPULATION_BATCH_LIMIT, items: { type: 'string' } } } } } } }, responses: { '200': { description: '{code:0,data:[{sfzh,xm,xb,csrq,lxdh,zz,sqmc,hh,cyxh,yhzgx}]}' }, '400': { description: 'bad request or batch too large (code 4001)' } } } },
      '/api/v2/changes': { get: { summary: 'Change feed', parameters: [{ name: 'since', in: 'query' }, { name: 'limit', in: 'query' }], responses: { '200': { description: '{code:0,data:[{seq,sfzh,bglx,bgsj}],next}' } } } },
    }),
  }));
  /** Test/demo hook: change a person's phone or address, which appears in the change feed. */
  sim.control('mutate', (body) => {
    const p = world.byId.get(String(body.idNumber));
    if (!p) return { error: 'unknown idNumber' };
    if (typeof body.phone === 'string') p.phone = body.phone;
    if (typeof body.address === 'string') p.address = body.address;
    sim.emitChange({ sfzh: p.idNumber, bglx: 'UPDATE' });
    return { ok: true };
  });
  addCaseDesk(sim, 'RK');
  return sim;
}
