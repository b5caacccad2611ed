import type { EntitlementRecord, EntitlementStatus } from '../contract.js';
import { MalformedResponseError } from '../errors.js';
import { DEPARTMENT, type HealthWireMember } from './client.js';

const KINDS: Record<string, { kind: string; name: string }> = {
  DSZN: { kind: 'ONE_CHILD_PARENT_REWARD', name: '独生子女父母奖励' },
  TF: { kind: 'FAMILY_PLANNING_SPECIAL_SUPPORT', name: '计划生育特殊家庭扶助' },
  SYDJ: { kind: 'BIRTH_REGISTRATION', name: '生育登记' },
};
const STATUS: Record<string, EntitlementStatus> = { 享受中: 'ACTIVE', 暂停: 'SUSPENDED', 已结束: 'ENDED', 审核中: 'PENDING' };

export function toEntitlements(m: HealthWireMember): EntitlementRecord[] {
  return (m.records ?? []).map((r) => {
    const kind = KINDS[r.xmdm];
    const status = STATUS[r.zt];
    if (!kind || !status) throw new MalformedResponseError(DEPARTMENT, 'a record has an unknown item code or status');
    return {
      id: `${m.hh}-${m.cyxh}-${r.xmdm}`,
      kind: kind.kind,
      name: kind.name,
      status,
      monthlyAmount: typeof r.je === 'number' ? r.je : null,
      startDate: r.ksrq ?? null,
      endDate: r.jsrq ?? null,
      details: null,
    };
  });
}
