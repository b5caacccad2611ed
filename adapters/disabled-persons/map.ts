import type { DepartmentData, EntitlementStatus } from '../contract.js';
import { MalformedResponseError } from '../errors.js';
import { DEPARTMENT, type DpWireCertificate } from './client.js';

/** 残疾类别 per GB/T 26341. */
export const CATEGORIES: Record<number, string> = { 1: '视力残疾', 2: '听力残疾', 3: '言语残疾', 4: '肢体残疾', 5: '智力残疾', 6: '精神残疾', 7: '多重残疾' };
const SUBSIDIES: Record<string, { kind: string; name: string }> = {
  LIVING: { kind: 'DISABILITY_LIVING_SUBSIDY', name: '困难残疾人生活补贴' },
  NURSING: { kind: 'DISABILITY_NURSING_SUBSIDY', name: '重度残疾人护理补贴' },
};
const STATES: Record<string, EntitlementStatus> = { 发放中: 'ACTIVE', 暂停发放: 'SUSPENDED', 停发: 'ENDED', 审核中: 'PENDING' };

/** The certificate number is the ID number followed by the category and grade digits. */
export const idOfCertificate = (certNo: string): string => certNo.slice(0, 18);

export function toDepartmentData(c: DpWireCertificate): DepartmentData {
  const category = CATEGORIES[c.category];
  if (typeof c.certNo !== 'string' || c.certNo.length !== 20 || !category || !Number.isInteger(c.grade) || c.grade < 1 || c.grade > 4) {
    throw new MalformedResponseError(DEPARTMENT, 'a certificate record has an invalid number, category or grade');
  }
  return {
    disabilityCertificate: { certificateNo: c.certNo, category, grade: c.grade, validUntil: c.validUntil ?? null },
    evidence: [{ materialCode: 'DISABILITY_CERT', reference: c.certNo, validUntil: c.validUntil ?? null }],
    entitlements: (c.subsidies ?? []).map((s) => {
      const kind = SUBSIDIES[s.type];
      const status = STATES[s.state];
      if (!kind || !status) throw new MalformedResponseError(DEPARTMENT, 'a subsidy record has an unknown type or state');
      return { id: `${c.certNo}-${s.type}`, kind: kind.kind, name: kind.name, status, monthlyAmount: s.amount ?? null, startDate: s.from ?? null, endDate: null, details: { certificateGrade: c.grade } };
    }),
  };
}

export const NO_CERTIFICATE: DepartmentData = { disabilityCertificate: null, entitlements: [], evidence: [] };
