/**
 * 医保 — healthcare security. JSON, no batch endpoint: one person per request
 * (GET /mi/v1/insured/{sfzh}). A per-client rate limit (token bucket keyed by X-Client-Id, else the
 * caller's address) answers 429 with Retry-After in whole seconds. Designated hospitals (定点医疗机构,
 * up to 4 per person), enrolment (险种类型 职工/居民), chronic-disease benefits.
 */
import type { World } from '../data/world.js';
import { parseStatus, setBenefit } from '../data/benefits.js';
import { addCaseDesk } from '../sim/case-desk.js';
import { openapi, Simulator, type FaultOptions, type SimResponse } from '../sim/simulator.js';

export interface MedicalSettings extends Record<string, unknown> {
  /** Sustained calls per second allowed per client. */
  ratePerSecond: number;
  /** Bucket size: calls allowed in a burst. */
  burst: number;
}

const STATUS_WORDS: Record<string, string> = { ACTIVE: '有效', SUSPENDED: '暂停', ENDED: '终止', PENDING: '待审核' };

export function createMedicalInsuranceSimulator(world: World, faults: Partial<FaultOptions> = {}, settings: Partial<MedicalSettings> = {}): Simulator {
  const s: MedicalSettings = { ratePerSecond: 200, burst: 100, ...settings };
  const sim = new Simulator('medical-insurance', faults, s);
  const buckets = new Map<string, { tokens: number; at: number }>();
  const hospitals = new Map(world.hospitals.map((h) => [h.code, h]));

  /** Returns 0 when the call may go on, else the seconds to wait. */
  const take = (client: string): number => {
    const now = Date.now();
    const b = buckets.get(client) ?? { tokens: s.burst, at: now };
    b.tokens = Math.min(s.burst, b.tokens + ((now - b.at) / 1000) * s.ratePerSecond);
    b.at = now;
    buckets.set(client, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - b.tokens) / s.ratePerSecond));
  };

  sim.route('GET', '/mi/v1/insured/:sfzh', 'insured.get', (req) => {
    const client = String(req.headers['x-client-id'] ?? req.remoteAddress);
    const wait = take(client);
    if (wait > 0) return { status: 429, headers: { 'retry-after': String(wait) }, body: { code: 'RATE_LIMITED', message: '请求过于频繁' } };
    sim.recordBatch('insured.get', 1);
    const answer = (p: (typeof world.people)[number] | undefined): SimResponse => {
      if (!p?.medical) return { status: 404, body: { code: 'NOT_INSURED', message: '未查询到参保信息' } };
      const m = p.medical;
      return {
        status: 200,
        body: {
          sfzh: p.idNumber,
          xm: p.name,
          xzlx: m.scheme === 'EMPLOYEE' ? '职工基本医疗保险' : '城乡居民基本医疗保险',
          cbzt: m.status,
          cbrq: m.enrolledOn,
          ddyy: m.hospitalCodes.map((c) => {
            const h = hospitals.get(c)!;
            return { yydm: h.code, yymc: h.name, yydj: h.level, dz: h.address };
          }),
          dyxx: m.benefits.map((b) => ({ lx: b.kind, zt: STATUS_WORDS[b.status], ksrq: b.startDate, jsrq: b.endDate ?? null })),
        },
      };
    };
    // One person per call: the confused answer is somebody else's record.
    return { ...answer(world.byId.get(req.params.sfzh!)), wrongBatch: () => answer(world.people.find((x) => x.medical && x.idNumber !== req.params.sfzh)) };
  });

  sim.route('GET', '/mi/v1/changes', 'changes', (req) => {
    const { changes, next } = sim.changesSince(Number(req.query.get('cursor') ?? '0'), Math.min(Number(req.query.get('limit') ?? '100'), 500));
    return { status: 200, body: { items: changes.map((c) => ({ sfzh: c.sfzh, type: c.type })), nextCursor: String(next) } };
  });

  sim.route('GET', '/openapi.json', 'openapi', () => ({
    status: 200,
    body: openapi('医保 medical insurance', {
      '/mi/v1/insured/{sfzh}': { get: { summary: 'One insured person; no batch endpoint. Rate limited per X-Client-Id.', parameters: [{ name: 'sfzh', in: 'path', required: true }, { name: 'X-Client-Id', in: 'header' }], responses: { '200': { description: '{sfzh,xm,xzlx,cbzt,cbrq,ddyy:[{yydm,yymc,yydj,dz}],dyxx:[{lx,zt,ksrq,jsrq}]}' }, '404': { description: 'NOT_INSURED' }, '429': { description: 'RATE_LIMITED, Retry-After seconds' } } } },
      '/mi/v1/changes': { get: { summary: 'Change feed', responses: { '200': { description: '{items:[{sfzh,type}],nextCursor}' } } } },
    }),
  }));

  sim.control('mutate', (body) => {
    const p = world.byId.get(String(body.idNumber));
    const status = parseStatus(body.status);
    if (!p?.medical || !status || typeof body.kind !== 'string') return { error: 'need idNumber of an insured person, kind and status' };
    setBenefit(p.medical.benefits, body.kind, status);
    sim.emitChange({ sfzh: p.idNumber, type: 'BENEFIT' });
    return { ok: true };
  });
  addCaseDesk(sim, 'YB');
  return sim;
}
