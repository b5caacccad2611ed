import type { ResidentRecord } from '../contract.js';
import { MalformedResponseError } from '../errors.js';
import { DEPARTMENT, type PopulationWirePerson } from './client.js';

const blankToNull = (s: string | undefined): string | null => (s && s.trim() !== '' ? s : null);

export function toResident(p: PopulationWirePerson): ResidentRecord {
  if (typeof p.sfzh !== 'string' || typeof p.xm !== 'string' || !/^\d{8}$/.test(String(p.csrq)) || (p.xb !== '1' && p.xb !== '2')) {
    throw new MalformedResponseError(DEPARTMENT, 'a registry record lacks its ID number, name, sex or birth date');
  }
  return {
    idNumber: p.sfzh,
    name: p.xm,
    gender: p.xb === '1' ? 'MALE' : 'FEMALE',
    birthDate: `${p.csrq.slice(0, 4)}-${p.csrq.slice(4, 6)}-${p.csrq.slice(6, 8)}`,
    phone: blankToNull(p.lxdh),
    address: blankToNull(p.zz),
    community: blankToNull(p.sqmc),
    householdNo: blankToNull(p.hh),
    householdMemberNo: blankToNull(p.cyxh),
  };
}
