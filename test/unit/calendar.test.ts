import { describe, expect, it } from 'vitest';
import { chinaDate, endOfChinaDay, WorkingCalendar } from '../../src/cases/calendar.js';

const cal = new WorkingCalendar();

describe('working-day calendar', () => {
  it('knows weekends, public holidays and make-up working days', () => {
    expect(cal.isWorkingDay('2026-03-02')).toBe(true); // Monday
    expect(cal.isWorkingDay('2026-03-07')).toBe(false); // Saturday
    expect(cal.isWorkingDay('2026-10-01')).toBe(false); // 国庆
    expect(cal.isWorkingDay('2026-10-10')).toBe(true); // Saturday, 调休上班
    expect(cal.isWorkingDay('2025-01-26')).toBe(true); // Sunday, 调休上班
    expect(cal.isWorkingDay('2026-02-18')).toBe(false); // 春节
  });

  it('adds working days across the Spring Festival and its make-up Saturday', () => {
    // Fri 13 Feb 2026 + 1 working day = Sat 14 Feb (make-up working day); + 2 = Tue 24 Feb (15–23 off)
    expect(cal.addWorkingDays('2026-02-13', 1)).toBe('2026-02-14');
    expect(cal.addWorkingDays('2026-02-13', 2)).toBe('2026-02-24');
    expect(cal.workingDaysBetween('2026-02-13', '2026-02-24')).toBe(2);
    expect(cal.addWorkingDays('2026-03-02', 0)).toBe('2026-03-02');
  });

  it('promises the end of the nth working day in China time', () => {
    // accepted Fri 3 Apr 2026 23:30 China time (15:30 UTC); 清明 4–6 Apr → 1 working day = Tue 7 Apr
    const at = new Date('2026-04-03T15:30:00Z');
    expect(chinaDate(at)).toBe('2026-04-03');
    expect(cal.promisedBy(at, 1).toISOString()).toBe('2026-04-07T15:59:59.999Z');
    expect(endOfChinaDay('2026-04-07').toISOString()).toBe('2026-04-07T15:59:59.999Z');
    // 16:30 UTC is already Saturday 4 Apr in China
    expect(chinaDate(new Date('2026-04-03T16:30:00Z'))).toBe('2026-04-04');
  });
});
