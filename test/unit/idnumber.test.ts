import { describe, expect, it } from 'vitest';
import { ageOn, checkCharacter, checkIdNumber, makeIdNumber } from '../../src/domain/idnumber.js';

const today = new Date('2026-11-26T00:00:00Z');

describe('GB 11643 ID numbers', () => {
  it('accepts the standard test vectors', () => {
    expect(checkIdNumber('11010519491231002X', today)).toMatchObject({ ok: true, birthDate: '1949-12-31', gender: 'FEMALE', areaCode: '110105' });
    expect(checkIdNumber('440524188001010014', today)).toMatchObject({ ok: true, birthDate: '1880-01-01', gender: 'MALE' });
    expect(checkCharacter('44052418800101001')).toBe('4');
    expect(checkIdNumber('440524179901010014', today)).toMatchObject({ ok: false, problem: 'BIRTH_DATE' });
  });

  it('normalises a lower-case x', () => {
    expect(checkIdNumber('11010519491231002x', today)).toMatchObject({ ok: true, idNumber: '11010519491231002X' });
  });

  it('names the problem without repeating the number', () => {
    const wrongCheck = checkIdNumber('110105194912310021', today);
    expect(wrongCheck).toMatchObject({ ok: false, problem: 'CHECK_DIGIT' });
    expect(JSON.stringify(wrongCheck)).not.toContain('110105194912310021');
    expect(checkIdNumber('11010519490231002X', today)).toMatchObject({ ok: false, problem: 'BIRTH_DATE' }); // 31 Feb
    expect(checkIdNumber(makeIdNumber('110105', '2030-01-01', 1), today)).toMatchObject({ ok: false, problem: 'BIRTH_DATE' }); // future
    expect(checkIdNumber('1101051949123100', today)).toMatchObject({ ok: false, problem: 'FORMAT' });
    expect(checkIdNumber('11010519491231002Y', today)).toMatchObject({ ok: false, problem: 'FORMAT' });
  });

  it('builds valid numbers with the gender in the sequence parity', () => {
    const id = makeIdNumber('110105', '2000-02-29', 123);
    expect(checkIdNumber(id, today)).toMatchObject({ ok: true, gender: 'MALE', birthDate: '2000-02-29' });
  });

  it('computes ages at the birthday boundary', () => {
    expect(ageOn('1949-12-31', new Date('2026-12-30T12:00:00Z'))).toBe(76);
    expect(ageOn('1949-12-31', new Date('2026-12-31T00:00:00Z'))).toBe(77);
  });
});
