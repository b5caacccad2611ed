import type { EntitlementRecord, EntitlementStatus, EvidenceRecord } from '../contract.js';
import { MalformedResponseError } from '../errors.js';
import { DEPARTMENT, type CaWirePerson } from './client.js';

const KINDS: Record<string, { kind: string; name: string }> = {
  DB: { kind: 'LOW_INCOME_ALLOWANCE', name: '城市最低生活保障' },
  TK: { kind: 'EXTREME_POVERTY_SUPPORT', name: '特困人员救助供养' },
  GL: { kind: 'OLD_AGE_ALLOWANCE', name: '高龄老年人津贴' },
};
const STATUS: Record<string, EntitlementStatus> = { 正常: 'ACTIVE', 暂停: 'SUSPENDED', 终止: 'ENDED', 审核中: 'PENDING' };

export function toEntitlements(p: CaWirePerson): EntitlementRecord[] {
  const list = (p.Dyxx && p.Dyxx.Dy) || [];
  return list.map((d) => {
    const kind = KINDS[d.Lb];
    const status = STATUS[d.Zt];
    if (!kind || !status) throw new MalformedResponseError(DEPARTMENT, 'a benefit record has an unknown category or status');
    const amount = d.Je === undefined ? null : Number(d.Je);
    return {
      id: `${d.Lb}-${d.Ksrq ?? ''}`,
      kind: kind.kind,
      name: d.Mc || kind.name,
      status,
      monthlyAmount: amount !== null && Number.isFinite(amount) ? amount : null,
      startDate: d.Ksrq || null,
      endDate: d.Jsrq || null,
      details: p.Hyzk ? { maritalStatus: p.Hyzk } : null,
    };
  });
}

/** What civil affairs vouches for: an active 低保 (its certificate) and a registered marriage. */
export function toEvidence(p: CaWirePerson): EvidenceRecord[] {
  const list = (p.Dyxx && p.Dyxx.Dy) || [];
  const lowIncome = list.find((d) => d.Lb === 'DB' && d.Zt === '正常');
  return [
    ...(lowIncome ? [{ materialCode: 'LOW_INCOME_CERT', reference: `MZ-DB-${lowIncome.Ksrq ?? ''}` }] : []),
    ...(p.Hyzk === '已婚' ? [{ materialCode: 'MARRIAGE_CERT', reference: 'MZ-HYDJ' }] : []),
  ];
}
