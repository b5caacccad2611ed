import type { DepartmentData, EntitlementStatus } from '../contract.js';
import { MalformedResponseError } from '../errors.js';
import { DEPARTMENT, type MiWireInsured } from './client.js';

const STATUS: Record<string, EntitlementStatus> = { 有效: 'ACTIVE', 暂停: 'SUSPENDED', 终止: 'ENDED', 待审核: 'PENDING' };
const NAMES: Record<string, string> = { CHRONIC_DISEASE_OUTPATIENT: '门诊慢特病待遇' };

export function toDepartmentData(r: MiWireInsured): DepartmentData {
  if (typeof r.xzlx !== 'string' || typeof r.cbzt !== 'string') throw new MalformedResponseError(DEPARTMENT, 'an enrolment record lacks its scheme or status');
  return {
    medicalInsurance: { scheme: r.xzlx, status: r.cbzt, enrolledOn: r.cbrq ?? null },
    evidence: r.cbzt === '正常参保' ? [{ materialCode: 'MEDICAL_INSURANCE_CERT', reference: `YB-${r.cbrq ?? ''}` }] : [],
    designatedHospitals: (r.ddyy ?? []).slice(0, 4).map((h) => ({ code: h.yydm, name: h.yymc, level: h.yydj ?? null, address: h.dz ?? null })),
    entitlements: (r.dyxx ?? []).map((d) => {
      const status = STATUS[d.zt];
      if (!status) throw new MalformedResponseError(DEPARTMENT, 'a benefit record has an unknown status');
      return { id: `${d.lx}-${d.ksrq ?? ''}`, kind: d.lx, name: NAMES[d.lx] ?? d.lx, status, startDate: d.ksrq ?? null, endDate: d.jsrq ?? null, details: { scheme: r.xzlx } };
    }),
  };
}

/** Not insured here: no enrolment, no hospitals, no benefits. */
export const NOT_INSURED: DepartmentData = { medicalInsurance: null, designatedHospitals: [], entitlements: [], evidence: [] };
