/**
 * Resident ID numbers (公民身份号码, GB 11643-1999): 6-digit area code, 8-digit birth date,
 * 3-digit sequence (odd = male), check character.
 */

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const CHECK_CHARS = '10X98765432';

/** Why an ID number was refused; stable codes so callers can branch without parsing messages. */
export type IdNumberProblem = 'FORMAT' | 'BIRTH_DATE' | 'CHECK_DIGIT';

export type IdNumberCheck =
  | { ok: true; idNumber: string; birthDate: string; gender: 'MALE' | 'FEMALE'; areaCode: string }
  | { ok: false; problem: IdNumberProblem; message: string };

export function checkCharacter(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += (first17.charCodeAt(i) - 48) * WEIGHTS[i]!;
  return CHECK_CHARS[sum % 11]!;
}

function isRealDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return d <= days;
}

/**
 * Validates and normalises (upper-case X) an ID number. `today` bounds the birth date:
 * nobody is born in the future or before 1800 (the standard's own test vector is from 1880). Messages never repeat the number itself,
 * so they are safe to return to clients and to log.
 */
export function checkIdNumber(raw: string, today: Date = new Date()): IdNumberCheck {
  const id = raw.trim().toUpperCase();
  if (!/^\d{17}[\dX]$/.test(id)) {
    return { ok: false, problem: 'FORMAT', message: 'an ID number has 17 digits and a check character (digit or X)' };
  }
  const y = Number(id.slice(6, 10));
  const m = Number(id.slice(10, 12));
  const d = Number(id.slice(12, 14));
  const birth = `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`;
  if (y < 1800 || !isRealDate(y, m, d) || Date.UTC(y, m - 1, d) > today.getTime()) {
    return { ok: false, problem: 'BIRTH_DATE', message: 'the birth date in the ID number is impossible' };
  }
  if (checkCharacter(id) !== id[17]) {
    return { ok: false, problem: 'CHECK_DIGIT', message: 'the check character of the ID number is wrong' };
  }
  return {
    ok: true,
    idNumber: id,
    birthDate: birth,
    gender: Number(id[16]) % 2 === 1 ? 'MALE' : 'FEMALE',
    areaCode: id.slice(0, 6),
  };
}

/** Builds a valid ID number from its parts (used by the synthetic population). */
export function makeIdNumber(areaCode: string, birthDate: string, sequence: number): string {
  const first17 = areaCode + birthDate.replaceAll('-', '') + String(sequence).padStart(3, '0');
  return first17 + checkCharacter(first17);
}

/** Age in whole years on `on` (UTC dates, YYYY-MM-DD). */
export function ageOn(birthDate: string, on: Date): number {
  const [y, m, d] = birthDate.split('-').map(Number) as [number, number, number];
  let age = on.getUTCFullYear() - y;
  const beforeBirthday = on.getUTCMonth() + 1 < m || (on.getUTCMonth() + 1 === m && on.getUTCDate() < d);
  if (beforeBirthday) age--;
  return age;
}
