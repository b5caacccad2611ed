import { describe, expect, it } from 'vitest';
import { buildWorld } from '../../mocks/data/world.js';
import { checkIdNumber } from '../../src/domain/idnumber.js';

describe('synthetic world', () => {
  const world = buildWorld({ seed: 7, count: 10_000 });
  const ref = new Date('2026-11-01T00:00:00Z');

  it('is deterministic for a seed and differs across seeds', () => {
    const again = buildWorld({ seed: 7, count: 10_000 });
    expect(again.people.map((p) => p.idNumber)).toEqual(world.people.map((p) => p.idNumber));
    expect(again.people[1234]).toEqual(world.people[1234]);
    expect(buildWorld({ seed: 8, count: 100 }).people[0]!.idNumber).not.toBe(world.people[0]!.idNumber);
  });

  it('has exactly the count, unique valid ID numbers, mostly from Chaoyang (110105)', () => {
    expect(world.people).toHaveLength(10_000);
    expect(world.byId.size).toBe(10_000);
    for (const p of world.people) {
      const c = checkIdNumber(p.idNumber, ref);
      expect(c.ok, p.idNumber).toBe(true);
      if (c.ok) {
        expect(c.birthDate).toBe(p.birthDate);
        expect(c.gender).toBe(p.gender);
      }
    }
    const chaoyang = world.people.filter((p) => p.idNumber.startsWith('110105')).length / world.people.length;
    expect(chaoyang).toBeGreaterThan(0.6);
  });

  it('spans ages 0 to 100 and keeps households consistent', () => {
    const ages = world.people.map((p) => p.age);
    expect(Math.min(...ages)).toBe(0);
    expect(Math.max(...ages)).toBeLessThanOrEqual(100);
    expect(Math.max(...ages)).toBeGreaterThanOrEqual(95);
    for (const [hh, members] of world.byHousehold) {
      expect(members.map((m) => m.memberNo)).toEqual(members.map((_, i) => i + 1));
      for (const m of members) expect(m.householdNo).toBe(hh);
    }
  });

  it('gives entitlements only to those eligible, in plausible shares', () => {
    const share = (f: (p: (typeof world.people)[number]) => boolean) => world.people.filter(f).length / world.people.length;
    for (const p of world.people) {
      if (p.civil.benefits.some((b) => b.kind === 'OLD_AGE_ALLOWANCE')) expect(p.age).toBeGreaterThanOrEqual(80);
      if (p.disability?.benefits.length === 0) continue;
      if (p.disability) {
        for (const b of p.disability.benefits) {
          if (b.kind === 'DISABILITY_NURSING_SUBSIDY') expect(p.disability.grade).toBeLessThanOrEqual(2);
          if (b.kind === 'DISABILITY_LIVING_SUBSIDY') expect(p.civil.benefits.some((c) => c.kind === 'LOW_INCOME_ALLOWANCE' || c.kind === 'EXTREME_POVERTY_SUPPORT')).toBe(true);
        }
        expect(p.disability.certificateNo.slice(0, 18)).toBe(p.idNumber);
        expect(p.disability.certificateNo).toHaveLength(20);
      }
    }
    expect(share((p) => p.civil.benefits.some((b) => b.kind === 'LOW_INCOME_ALLOWANCE'))).toBeGreaterThan(0.01);
    expect(share((p) => p.civil.benefits.some((b) => b.kind === 'LOW_INCOME_ALLOWANCE'))).toBeLessThan(0.06);
    expect(share((p) => p.disability !== null)).toBeGreaterThan(0.02);
    expect(share((p) => p.disability !== null)).toBeLessThan(0.1);
    expect(share((p) => p.medical !== null)).toBeGreaterThan(0.9);
    // 两项补贴 exist at all, and only with certificates (checked above)
    expect(share((p) => (p.disability?.benefits.length ?? 0) > 0)).toBeGreaterThan(0);
  });

  it('builds 200,000 residents in memory with unique ID numbers', () => {
    const big = buildWorld({ seed: 1, count: 200_000 });
    expect(big.people).toHaveLength(200_000);
    expect(big.byId.size).toBe(200_000);
  }, 30_000);
});
