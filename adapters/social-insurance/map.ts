import type { EntitlementRecord, EntitlementStatus, PaymentRecordRecord, SocialInsuranceAccountRecord } from '../contract.js';
import { MalformedResponseError } from '../errors.js';
import { DEPARTMENT, type SiWirePayment, type SiWirePerson } from './client.js';

/** 险种 codes (aae140) of the ministry's standard. */
export const INSURANCE_TYPES: Record<string, string> = { '110': '基本养老保险', '210': '失业保险', '310': '基本医疗保险', '410': '工伤保险', '510': '生育保险' };
const BENEFITS: Record<string, { kind: string; name: string }> = {
  '110': { kind: 'BASIC_PENSION', name: '城镇职工基本养老金' },
  '210': { kind: 'UNEMPLOYMENT_BENEFIT', name: '失业保险金' },
};
const STATUS: Record<string, EntitlementStatus> = { '0': 'PENDING', '1': 'ACTIVE', '2': 'SUSPENDED', '3': 'ENDED' };

const ymd = (s: string | undefined): string | null => (s && /^\d{8}$/.test(s) ? `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}` : null);
const money = (s: string | undefined): number | null => (s === undefined || s === null || Number.isNaN(Number(s)) ? null : Number(s));

export function toAccount(p: SiWirePerson): SocialInsuranceAccountRecord {
  if (typeof p.aac001 !== 'string' || typeof p.aac008 !== 'string') throw new MalformedResponseError(DEPARTMENT, 'a person record lacks its person number or status');
  return {
    personNo: p.aac001,
    status: p.aac008,
    insuranceTypes: (p.xzlx ?? []).map((c) => INSURANCE_TYPES[c] ?? c),
    firstPaidOn: ymd(p.aac030),
    monthsPaid: Number(p.ljjfys ?? 0),
  };
}

export function toEntitlements(p: SiWirePerson): EntitlementRecord[] {
  return (p.dyxx ?? []).map((d) => {
    const benefit = BENEFITS[d.dylb ?? ''];
    const status = STATUS[d.dyzt ?? ''];
    if (!benefit || !status) throw new MalformedResponseError(DEPARTMENT, 'a benefit record has an unknown type or status code');
    return {
      id: `${p.aac001}-${d.dylb}`,
      kind: benefit.kind,
      name: benefit.name,
      status,
      monthlyAmount: money(d.yfje),
      startDate: ymd(d.kssj),
      endDate: ymd(d.zzsj),
      details: { personNo: p.aac001 },
    };
  });
}

export function toPayment(r: SiWirePayment): PaymentRecordRecord {
  if (!/^\d{6}$/.test(String(r.aae002))) throw new MalformedResponseError(DEPARTMENT, 'a payment record has no valid month');
  return {
    month: `${r.aae002.slice(0, 4)}-${r.aae002.slice(4, 6)}`,
    insuranceType: INSURANCE_TYPES[r.aae140] ?? r.aae140,
    base: Number(r.aae180),
    personalAmount: Number(r.grjfe),
    employerAmount: Number(r.dwjfe),
    paid: r.jfbz === '1',
  };
}
