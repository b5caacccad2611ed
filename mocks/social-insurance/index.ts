/**
 * 人社/社保 — human resources and social security. JSON with the ministry's column codes
 * (aac001 个人编号, aac002 身份证号, aac003 姓名, aac008 参保状态, aac030 首次参保日期,
 * aae002 费款所属期, aae140 险种, aae180 缴费基数). Every data call needs a token from
 * POST /auth/token (app key + secret); tokens live `tokenTtlSeconds` (30 min in production, shorter
 * in tests) and an expired one answers 401 errcode 40101. Person query takes at most 100 ID numbers;
 * payment records are paged (at most 50 a page) by person number, not by ID number.
 */
import { randomBytes } from 'node:crypto';
import type { Person, World } from '../data/world.js';
import { parseStatus, setBenefit } from '../data/benefits.js';
import { addCaseDesk } from '../sim/case-desk.js';
import { jsonBody, openapi, Simulator, batchAnswer, type FaultOptions, type SimRequest, type SimResponse } from '../sim/simulator.js';

export const SOCIAL_INSURANCE_BATCH_LIMIT = 100;
export const PAYMENT_PAGE_LIMIT = 50;

export interface SocialInsuranceSettings extends Record<string, unknown> {
  appKey: string;
  appSecret: string;
  tokenTtlSeconds: number;
}

const BENEFIT_CODES: Record<string, string> = { BASIC_PENSION: '110', UNEMPLOYMENT_BENEFIT: '210' };
const STATUS_CODES: Record<string, string> = { ACTIVE: '1', SUSPENDED: '2', ENDED: '3', PENDING: '0' };
const INSURANCE_CODES: Record<string, string> = { 养老: '110', 医疗: '310', 失业: '210', 工伤: '410', 生育: '510' };

/** Monthly contribution records: the 36 months up to the reference month (or up to retirement). */
export function paymentRecords(p: Person, referenceDate: string) {
  const si = p.socialInsurance;
  if (!si) return [];
  const retired = si.status === '领取待遇';
  const end = retired
    ? new Date(Date.UTC(Number(p.birthDate.slice(0, 4)) + (p.gender === 'MALE' ? 60 : 55), Number(p.birthDate.slice(5, 7)) - 1, 1))
    : new Date(`${referenceDate.slice(0, 7)}-01T00:00:00Z`);
  const months = Math.min(36, si.monthsPaid);
  const out = [];
  for (let i = months - 1; i >= 0; i--) {
    const d = new Date(Date.UTC(end.getUTCFullYear(), end.getUTCMonth() - i, 1));
    const ym = `${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
    const paid = !(si.status === '暂停缴费' && i < 3);
    for (const type of retired ? ['养老', '医疗', '失业'] : si.insuranceTypes) {
      const personalRate = type === '养老' ? 0.08 : type === '医疗' ? 0.02 : type === '失业' ? 0.005 : 0;
      const employerRate = type === '养老' ? 0.16 : type === '医疗' ? 0.098 : type === '失业' ? 0.005 : type === '工伤' ? 0.004 : 0.008;
      out.push({
        aae002: ym,
        aae140: INSURANCE_CODES[type],
        aae180: si.baseWage.toFixed(2),
        grjfe: (si.baseWage * personalRate).toFixed(2),
        dwjfe: (si.baseWage * employerRate).toFixed(2),
        jfbz: paid ? '1' : '0',
      });
    }
  }
  return out;
}

export function createSocialInsuranceSimulator(
  world: World,
  faults: Partial<FaultOptions> = {},
  settings: Partial<SocialInsuranceSettings> = {},
): Simulator {
  const s: SocialInsuranceSettings = { appKey: 'owh-hub', appSecret: 'dev-only-secret', tokenTtlSeconds: 1800, ...settings };
  const sim = new Simulator('social-insurance', faults, s);
  const tokens = new Map<string, number>(); // token → expiry (ms)
  const byPersonNo = new Map<string, Person>();
  for (const p of world.people) if (p.socialInsurance) byPersonNo.set(p.socialInsurance.personNo, p);

  const authorize = (req: SimRequest): SimResponse | null => {
    const auth = req.headers.authorization ?? '';
    const token = auth.startsWith('Bearer ') ? auth.slice(7) : '';
    const exp = tokens.get(token);
    if (exp === undefined) return { status: 401, body: { errcode: 40100, errmsg: 'invalid access_token' } };
    if (exp <= Date.now()) {
      tokens.delete(token);
      return { status: 401, body: { errcode: 40101, errmsg: 'access_token expired' } };
    }
    return null;
  };

  sim.route('POST', '/auth/token', 'auth.token', (req) => {
    const parsed = jsonBody<{ appKey?: string; appSecret?: string }>(req);
    if (!parsed.ok) return parsed.response;
    if (parsed.value.appKey !== s.appKey || parsed.value.appSecret !== s.appSecret) {
      return { status: 401, body: { errcode: 40001, errmsg: 'invalid appKey or appSecret' } };
    }
    const token = randomBytes(16).toString('hex');
    tokens.set(token, Date.now() + Number(s.tokenTtlSeconds) * 1000);
    return { status: 200, body: { errcode: 0, access_token: token, token_type: 'Bearer', expires_in: s.tokenTtlSeconds } };
  });

  sim.route('POST', '/si/api/person/query', 'person.query', (req) => {
    const denied = authorize(req);
    if (denied) return denied;
    const parsed = jsonBody<{ aac002List?: unknown }>(req);
    if (!parsed.ok) return parsed.response;
    const list = parsed.value.aac002List;
    if (!Array.isArray(list) || list.some((x) => typeof x !== 'string')) return { status: 400, body: { errcode: 40002, errmsg: 'aac002List 格式错误' } };
    if (list.length > SOCIAL_INSURANCE_BATCH_LIMIT) return { status: 400, body: { errcode: 40003, errmsg: `单次查询不超过${SOCIAL_INSURANCE_BATCH_LIMIT}人` } };
    sim.recordBatch('person.query', list.length);
    const answer = (ids: string[]): SimResponse => ({ status: 200, body: { errcode: 0, data: ids.flatMap((id: string) => {
      const p = world.byId.get(id);
      const si = p?.socialInsurance;
      if (!p || !si) return [];
      return [{
        aac001: si.personNo,
        aac002: p.idNumber,
        aac003: p.name,
        aac008: si.status,
        xzlx: si.insuranceTypes.map((t) => INSURANCE_CODES[t]),
        aac030: si.firstPaidOn.replaceAll('-', ''),
        ljjfys: si.monthsPaid,
        dyxx: si.benefits.map((b) => ({ dylb: BENEFIT_CODES[b.kind], dyzt: STATUS_CODES[b.status], yfje: b.monthlyAmount?.toFixed(2), kssj: b.startDate?.replaceAll('-', ''), zzsj: b.endDate?.replaceAll('-', '') })),
      }];
    }) } });
    return batchAnswer(list, world.people, answer, (p) => p.socialInsurance !== null);
  });

  sim.route('GET', '/si/api/payments', 'payments', (req) => {
    const denied = authorize(req);
    if (denied) return denied;
    const personNo = req.query.get('aac001') ?? '';
    const page = Number(req.query.get('page') ?? '1');
    const size = Number(req.query.get('size') ?? '20');
    if (!Number.isInteger(page) || page < 1 || !Number.isInteger(size) || size < 1 || size > PAYMENT_PAGE_LIMIT) {
      return { status: 400, body: { errcode: 40004, errmsg: `page ≥ 1, 1 ≤ size ≤ ${PAYMENT_PAGE_LIMIT}` } };
    }
    const p = byPersonNo.get(personNo);
    if (!p) return { status: 404, body: { errcode: 40400, errmsg: '无此人员' } };
    const all = paymentRecords(p, world.options.referenceDate);
    return { status: 200, body: { errcode: 0, total: all.length, page, size, list: all.slice((page - 1) * size, page * size) } };
  });

  sim.route('GET', '/si/api/changes', 'changes', (req) => {
    const denied = authorize(req);
    if (denied) return denied;
    const { changes, next } = sim.changesSince(Number(req.query.get('cursor') ?? '0'), Math.min(Number(req.query.get('limit') ?? '100'), 500));
    return { status: 200, body: { errcode: 0, data: changes.map((c) => ({ aac002: c.aac002, bdlx: c.bdlx })), cursor: next } };
  });

  sim.route('GET', '/openapi.json', 'openapi', () => ({
    status: 200,
    body: openapi('人社 social insurance', {
      '/auth/token': { post: { summary: 'Token handshake: {appKey, appSecret} → {access_token, expires_in}', responses: { '200': { description: 'token' }, '401': { description: 'errcode 40001' } } } },
      '/si/api/person/query': { post: { summary: `Persons by ID number, at most ${SOCIAL_INSURANCE_BATCH_LIMIT}; Bearer token`, responses: { '200': { description: '{errcode:0,data:[{aac001,aac002,aac003,aac008,xzlx,aac030,ljjfys,dyxx}]}' }, '401': { description: 'errcode 40100 invalid / 40101 expired token' } } } },
      '/si/api/payments': { get: { summary: `Monthly payment records by person number (aac001), paged, size ≤ ${PAYMENT_PAGE_LIMIT}`, responses: { '200': { description: '{total,page,size,list:[{aae002,aae140,aae180,grjfe,dwjfe,jfbz}]}' } } } },
      '/si/api/changes': { get: { summary: 'Change feed by cursor', responses: { '200': { description: '{data:[{aac002,bdlx}],cursor}' } } } },
    }),
  }));

  sim.control('mutate', (body) => {
    const p = world.byId.get(String(body.idNumber));
    const status = parseStatus(body.status);
    if (!p?.socialInsurance || !status || typeof body.kind !== 'string') return { error: 'need idNumber of an insured person, kind and status' };
    setBenefit(p.socialInsurance.benefits, body.kind, status, typeof body.monthlyAmount === 'number' ? body.monthlyAmount : undefined);
    sim.emitChange({ aac002: p.idNumber, bdlx: 'DY' });
    return { ok: true };
  });
  addCaseDesk(sim, 'SB');
  return sim;
}
