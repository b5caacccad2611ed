/**
 * The catalogue in memory (153 items: a few hundred KB at most), loaded from the database at start
 * and after every import, so listing and checklists cost no query.
 */
import type { Queryable } from '../db/db.js';
import type { Channel, HandlingMode, ServiceItemSpec } from './catalogue.js';

export class Catalogue {
  private items = new Map<string, ServiceItemSpec>();
  private counts = new Map<string, number>();

  async load(db: Queryable): Promise<void> {
    const { rows } = await db.query<Record<string, any>>(
      `select code, name, department, item_type, handling_mode, promised_working_days, legal_working_days, max_visits, channels, fee::float8 as fee, materials, sample
       from service_items order by code`,
    );
    this.items = new Map(
      rows.map((r) => [
        r.code,
        {
          code: r.code,
          name: r.name,
          department: r.department,
          itemType: r.item_type,
          handlingMode: r.handling_mode,
          promisedWorkingDays: r.promised_working_days,
          legalWorkingDays: r.legal_working_days,
          maxVisits: r.max_visits,
          channels: r.channels,
          fee: Number(r.fee),
          materials: typeof r.materials === 'string' ? JSON.parse(r.materials) : r.materials,
          sample: r.sample,
        } satisfies ServiceItemSpec,
      ]),
    );
    this.recount();
  }

  private recount(): void {
    this.counts = new Map();
    for (const i of this.items.values()) this.counts.set(i.department, (this.counts.get(i.department) ?? 0) + 1);
  }

  get(code: string): ServiceItemSpec | undefined {
    return this.items.get(code);
  }

  get size(): number {
    return this.items.size;
  }

  list(filter: { department?: string; channel?: Channel; handlingMode?: HandlingMode; search?: string } = {}): ServiceItemSpec[] {
    const q = filter.search?.trim().toLowerCase();
    return [...this.items.values()].filter(
      (i) =>
        (!filter.department || i.department === filter.department) &&
        (!filter.channel || i.channels.includes(filter.channel)) &&
        (!filter.handlingMode || i.handlingMode === filter.handlingMode) &&
        (!q || i.name.toLowerCase().includes(q) || i.code.toLowerCase().includes(q)),
    );
  }

  /** The material codes a department can supply or vouch for, across the catalogue. */
  materialsSharedBy(department: string): string[] {
    return [...new Set(this.list().flatMap((i) => i.materials.filter((m) => m.sharedBy === department).map((m) => m.code)))];
  }

  countFor(department: string): number {
    return this.counts.get(department) ?? 0;
  }
}
