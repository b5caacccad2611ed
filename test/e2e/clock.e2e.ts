/**
 * The promised-date clock stops while a case is SUSPENDED and resumes, extended by the working
 * days it stood, when the department takes it up again.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkingCalendar } from '../../src/cases/calendar.js';
import { CALENDAR } from '../../src/cases/calendar-data.js';
import { CaseService } from '../../src/cases/service.js';
import { createLogger } from '../../src/log.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';

describe('the promised-date clock', () => {
  let t: TestHub;
  beforeAll(async () => (t = await startTestHub()));
  afterAll(() => t?.close());

  it('pauses while SUSPENDED and moves promisedBy out by the working days it stood', async () => {
    let now = new Date('2026-03-02T02:00:00Z'); // Monday 10:00 in China
    const cases = new CaseService(t.db, t.hub.cases.catalogue, new WorkingCalendar(), createLogger('error', () => undefined), () => now);
    const item = t.hub.cases.catalogue.list({ search: '最低生活保障申请' }).find((i) => i.name === '最低生活保障申请')!;
    const p = t.sims.world.people.find((x) => x.age >= 18)!;
    const evidence = async () => ({ found: new Map([['ID_CARD', { department: 'population', reference: 'r', validUntil: null }], ['HOUSEHOLD_REGISTER', { department: 'population', reference: 'r', validUntil: null }]]), failed: new Set<string>() });
    const { caseNo } = await cases.submit(
      { idempotencyKey: randomUUID(), serviceItemCode: item.code, applicantIdNumber: p.idNumber, channel: 'WINDOW' as never, materials: [{ code: 'INCOME_PROOF', reference: 'a', form: 'ORIGINAL' as never }, { code: 'APPLICATION_FORM', reference: 'b', form: 'ORIGINAL' as never }] },
      { operator: 'clerk-1', window: 'W1' },
      evidence,
    );
    const promised = (await cases.get(caseNo!))!.promisedBy!;
    expect(promised.toISOString()).toBe(new WorkingCalendar().promisedBy(now, item.promisedWorkingDays).toISOString());
    const answer = (status: 'IN_REVIEW' | 'SUSPENDED') => t.db.transaction((tx) => cases.applyDepartmentAnswer(tx, caseNo!, { departmentRef: 'MZ-1', status }, { operator: 'hub:outbox' }));

    await answer('IN_REVIEW');
    now = new Date('2026-03-03T02:00:00Z'); // Tuesday: suspended
    await answer('SUSPENDED');
    expect((await cases.get(caseNo!))!.pausedAt!.toISOString()).toBe(now.toISOString());
    now = new Date('2026-03-10T02:00:00Z'); // next Tuesday: 5 working days later (Wed–Fri, Mon, Tue)
    await answer('IN_REVIEW');
    const after = (await cases.get(caseNo!))!;
    expect(after.pausedAt).toBeNull();
    expect(after.promisedBy!.toISOString()).toBe(new WorkingCalendar().promisedBy(new Date('2026-03-02T02:00:00Z'), item.promisedWorkingDays + 5).toISOString());
    const events = (await cases.events([caseNo!]))[0]!.map((e) => e.to_status);
    expect(events).toEqual(['RECEIVED', 'ACCEPTED', 'FORWARDED', 'IN_REVIEW', 'SUSPENDED', 'IN_REVIEW']);
  });

  it('the holiday calendar in the database follows the data: a day taken out of a year is gone after a restart', async () => {
    const workingDay = async (day: string) => (await t.db.query<{ w: boolean }>('select is_working_day($1::date) as w', [day])).rows[0]!.w;
    // 2027 was first written with 初四 (2/9) as a holiday; the corrected data ends 春节 on 初三 (2/8)
    await WorkingCalendar.store(t.db, [...CALENDAR, { day: '2027-02-09', kind: 'HOLIDAY', name: '春节（暂定）' }]);
    expect(await workingDay('2027-02-09')).toBe(false);
    await WorkingCalendar.store(t.db);
    expect([await workingDay('2027-02-08'), await workingDay('2027-02-09')]).toEqual([false, true]);
    expect(await workingDay('2026-02-14')).toBe(true); // a make-up working Saturday stays
    expect(await workingDay('2026-02-23')).toBe(false);
    expect(new WorkingCalendar().isWorkingDay('2027-02-09')).toBe(true);
  });
});
