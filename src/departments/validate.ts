/**
 * A department's answer becomes a resident's data only when it has the unified shape. Returns a
 * description of the first problem (without the values themselves), or null.
 */
const STATUSES = new Set(['ACTIVE', 'SUSPENDED', 'ENDED', 'PENDING']);
const DATE = /^\d{4}-\d{2}-\d{2}$/;

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const optStr = (x: unknown) => x === undefined || x === null || typeof x === 'string';
const optDate = (x: unknown) => x === undefined || x === null || (typeof x === 'string' && DATE.test(x));
const optNum = (x: unknown) => x === undefined || x === null || (typeof x === 'number' && Number.isFinite(x));

function list(x: unknown, name: string, item: (v: unknown) => string | null): string | null {
  if (x === undefined) return null;
  if (!Array.isArray(x)) return `${name} is not a list`;
  for (const v of x) {
    const p = item(v);
    if (p) return `${name}: ${p}`;
  }
  return null;
}

export function validateDepartmentData(data: unknown, idNumber: string): string | null {
  if (!isObj(data)) return 'not an object';
  const r = data.resident;
  if (r !== undefined) {
    if (!isObj(r)) return 'resident is not an object';
    if (r.idNumber !== idNumber) return 'resident is not the person asked for (wrong order or wrong record)';
    if (typeof r.name !== 'string' || r.name === '') return 'resident has no name';
    if (r.gender !== 'MALE' && r.gender !== 'FEMALE') return 'resident gender is not MALE or FEMALE';
    if (typeof r.birthDate !== 'string' || !DATE.test(r.birthDate)) return 'resident birthDate is not YYYY-MM-DD';
    for (const f of ['phone', 'address', 'community', 'householdNo', 'householdMemberNo']) if (!optStr(r[f])) return `resident ${f} is not a string`;
  }
  const e = list(data.entitlements, 'entitlements', (v) => {
    if (!isObj(v)) return 'an entry is not an object';
    if (typeof v.id !== 'string' || typeof v.kind !== 'string' || typeof v.name !== 'string') return 'an entry lacks id, kind or name';
    if (!STATUSES.has(v.status as string)) return 'an entry has an unknown status';
    if (!optNum(v.monthlyAmount)) return 'an entry has a non-numeric monthlyAmount';
    if (!optDate(v.startDate) || !optDate(v.endDate)) return 'an entry has a date that is not YYYY-MM-DD';
    if (v.details !== undefined && v.details !== null && !isObj(v.details)) return 'an entry has details that are not an object';
    return null;
  });
  if (e) return e;
  const h = list(data.designatedHospitals, 'designatedHospitals', (v) => (isObj(v) && typeof v.code === 'string' && typeof v.name === 'string' ? null : 'an entry lacks code or name'));
  if (h) return h;
  const p = list(data.paymentRecords, 'paymentRecords', (v) =>
    isObj(v) && typeof v.month === 'string' && typeof v.insuranceType === 'string' && [v.base, v.personalAmount, v.employerAmount].every((n) => typeof n === 'number' && Number.isFinite(n)) && typeof v.paid === 'boolean'
      ? null
      : 'an entry is incomplete',
  );
  if (p) return p;
  const ev = list(data.evidence, 'evidence', (v) => (isObj(v) && typeof v.materialCode === 'string' && typeof v.reference === 'string' && optDate(v.validUntil) ? null : 'an entry lacks materialCode or reference'));
  if (ev) return ev;
  const si = data.socialInsurance;
  if (si !== undefined && si !== null && !(isObj(si) && typeof si.personNo === 'string' && typeof si.status === 'string' && Array.isArray(si.insuranceTypes) && typeof si.monthsPaid === 'number')) return 'socialInsurance is incomplete';
  const mi = data.medicalInsurance;
  if (mi !== undefined && mi !== null && !(isObj(mi) && typeof mi.scheme === 'string' && typeof mi.status === 'string' && optDate(mi.enrolledOn))) return 'medicalInsurance is incomplete';
  const dc = data.disabilityCertificate;
  if (dc !== undefined && dc !== null && !(isObj(dc) && typeof dc.certificateNo === 'string' && typeof dc.category === 'string' && Number.isInteger(dc.grade) && optDate(dc.validUntil))) return 'disabilityCertificate is incomplete';
  return null;
}
