/**
 * Working days on the holiday calendar. Dates are China calendar dates (UTC+8, no DST), written
 * YYYY-MM-DD; a deadline is the end of its working day in China.
 */
import type { Queryable } from '../db/db.js';
import { CALENDAR, type CalendarDay } from './calendar-data.js';

const DAY_MS = 86_400_000;
const CHINA_OFFSET_MS = 8 * 3_600_000;

/** The China calendar date of an instant. */
export const chinaDate = (t: Date): string => new Date(t.getTime() + CHINA_OFFSET_MS).toISOString().slice(0, 10);
/** The last millisecond of a China calendar date, as an instant. */
export const endOfChinaDay = (day: string): Date => new Date(Date.parse(`${day}T00:00:00Z`) - CHINA_OFFSET_MS + DAY_MS - 1);
const nextDay = (day: string): string => new Date(Date.parse(`${day}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10);

export class WorkingCalendar {
  private readonly exceptions: Map<string, CalendarDay['kind']>;

  constructor(days: readonly CalendarDay[] = CALENDAR) {
    this.exceptions = new Map(days.map((d) => [d.day, d.kind]));
  }

  isWorkingDay(day: string): boolean {
    const kind = this.exceptions.get(day);
    if (kind) return kind === 'WORKDAY';
    const dow = new Date(`${day}T00:00:00Z`).getUTCDay();
    return dow !== 0 && dow !== 6;
  }

  /** The `n`th working day after `day` (n = 0: `day` itself). */
  addWorkingDays(day: string, n: number): string {
    let d = day;
    for (let left = n; left > 0; ) {
      d = nextDay(d);
      if (this.isWorkingDay(d)) left--;
    }
    return d;
  }

  /** Working days in (from, to]: how many working days passed between two dates. */
  workingDaysBetween(from: string, to: string): number {
    let n = 0;
    for (let d = nextDay(from); d <= to; d = nextDay(d)) if (this.isWorkingDay(d)) n++;
    return n;
  }

  /** The promised deadline of an item accepted at `acceptedAt`: end of the nth working day after. */
  promisedBy(acceptedAt: Date, workingDays: number): Date {
    return endOfChinaDay(this.addWorkingDays(chinaDate(acceptedAt), workingDays));
  }

  /**
   * Writes the calendar into the database, where SQL statistics count working days: the years it
   * covers are replaced (a day taken out of the data — a corrected provisional year — goes too).
   */
  static async store(db: Queryable, days: readonly CalendarDay[] = CALENDAR): Promise<void> {
    const years = days.map((d) => Number(d.day.slice(0, 4)));
    await db.query(`delete from calendar_days where day between $1::date and $2::date and not (day = any($3::date[]))`, [`${Math.min(...years)}-01-01`, `${Math.max(...years)}-12-31`, days.map((d) => d.day)]);
    await db.query(
      `insert into calendar_days (day, kind, name) select * from unnest($1::date[], $2::text[], $3::text[])
       on conflict (day) do update set kind = excluded.kind, name = excluded.name`,
      [days.map((d) => d.day), days.map((d) => d.kind), days.map((d) => d.name)],
    );
  }
}
