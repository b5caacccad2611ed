/**
 * Exceptions to "Monday to Friday is a working day" for 2025–2027: public holidays (HOLIDAY) and
 * the official make-up working days on weekends (WORKDAY, 调休上班).
 *
 * 2025: 国办发明电〔2024〕12号. 2026: 国务院办公厅关于2026年部分节假日安排的通知 of 2025-11-04
 * (新华社; checked line by line on 2026-11-27). 2027: PROVISIONAL — no notice was to be found on
 * 2026-11-27; only the statutory holiday days themselves (全体公民放假的节日 of the 2024
 * regulation: 春节 = 除夕 and 初一–初三, 劳动节 two days, 国庆节 three) are listed, without bridging
 * days or make-up working days. Lunar dates computed from the new moons (Meeus ch. 49, Beijing
 * time): 初一 of 2027 is 2/6 — that new moon falls at 23:56 on 2/6, and some calendar libraries
 * (ICU among them) put it on 2/7; 端午 6/9; 中秋 9/15. Replace with the notice (`npm run calendar:import`-style loading is a TODO; edit
 * this file and restart: rows are upserted at start).
 */
export interface CalendarDay {
  day: string;
  kind: 'HOLIDAY' | 'WORKDAY';
  name: string;
}

const range = (from: string, to: string, name: string): CalendarDay[] => {
  const out: CalendarDay[] = [];
  for (let d = new Date(`${from}T00:00:00Z`); d <= new Date(`${to}T00:00:00Z`); d = new Date(d.getTime() + 86_400_000)) {
    out.push({ day: d.toISOString().slice(0, 10), kind: 'HOLIDAY', name });
  }
  return out;
};
const work = (day: string, name: string): CalendarDay => ({ day, kind: 'WORKDAY', name: `${name}调休上班` });

export const CALENDAR: CalendarDay[] = [
  // 2025
  ...range('2025-01-01', '2025-01-01', '元旦'),
  ...range('2025-01-28', '2025-02-04', '春节'),
  work('2025-01-26', '春节'),
  work('2025-02-08', '春节'),
  ...range('2025-04-04', '2025-04-06', '清明节'),
  ...range('2025-05-01', '2025-05-05', '劳动节'),
  work('2025-04-27', '劳动节'),
  ...range('2025-05-31', '2025-06-02', '端午节'),
  ...range('2025-10-01', '2025-10-08', '国庆节、中秋节'),
  work('2025-09-28', '国庆节'),
  work('2025-10-11', '国庆节'),
  // 2026
  ...range('2026-01-01', '2026-01-03', '元旦'),
  work('2026-01-04', '元旦'),
  ...range('2026-02-15', '2026-02-23', '春节'),
  work('2026-02-14', '春节'),
  work('2026-02-28', '春节'),
  ...range('2026-04-04', '2026-04-06', '清明节'),
  ...range('2026-05-01', '2026-05-05', '劳动节'),
  work('2026-05-09', '劳动节'),
  ...range('2026-06-19', '2026-06-21', '端午节'),
  ...range('2026-09-25', '2026-09-27', '中秋节'),
  ...range('2026-10-01', '2026-10-07', '国庆节'),
  work('2026-09-20', '国庆节'),
  work('2026-10-10', '国庆节'),
  // 2027 — provisional, statutory days only (see above)
  ...range('2027-01-01', '2027-01-01', '元旦（暂定）'),
  ...range('2027-02-05', '2027-02-08', '春节（暂定）'),
  ...range('2027-04-05', '2027-04-05', '清明节（暂定）'),
  ...range('2027-05-01', '2027-05-02', '劳动节（暂定）'),
  ...range('2027-06-09', '2027-06-09', '端午节（暂定）'),
  ...range('2027-09-15', '2027-09-15', '中秋节（暂定）'),
  ...range('2027-10-01', '2027-10-03', '国庆节（暂定）'),
];
