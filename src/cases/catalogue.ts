/**
 * The service-item catalogue: parsing a district's export (JSON or CSV), validating it with errors
 * that name the row and the field, and importing it all-or-nothing.
 */
import type { Queryable } from '../db/db.js';

export type HandlingMode = 'IMMEDIATE' | 'PROMISED';
export type Channel = 'WINDOW' | 'STATION' | 'SELF_SERVICE' | 'ONLINE';
export type MaterialForm = 'ORIGINAL' | 'COPY' | 'ELECTRONIC';

export interface MaterialSpec {
  code: string;
  name: string;
  form: MaterialForm;
  copies: number;
  required: boolean;
  deferrable: boolean;
  /** Department code that can supply or vouch for this material instead of the resident. */
  sharedBy: string | null;
}

export interface ServiceItemSpec {
  code: string;
  name: string;
  department: string;
  itemType: string;
  handlingMode: HandlingMode;
  promisedWorkingDays: number;
  legalWorkingDays: number | null;
  maxVisits: number;
  channels: Channel[];
  fee: number;
  materials: MaterialSpec[];
  sample: boolean;
}

export interface CatalogueError {
  /** 1-based: the item's position in a JSON file, the line in a CSV file. */
  row: number;
  field: string;
  message: string;
}

export class CatalogueInvalidError extends Error {
  readonly code = 'CATALOGUE_INVALID';
  constructor(readonly errors: CatalogueError[]) {
    super(`the catalogue has ${errors.length} error(s); nothing was imported:\n` + errors.map((e) => `  row ${e.row}, ${e.field}: ${e.message}`).join('\n'));
  }
}

const CHANNELS = new Set<Channel>(['WINDOW', 'STATION', 'SELF_SERVICE', 'ONLINE']);
const FORMS = new Set<MaterialForm>(['ORIGINAL', 'COPY', 'ELECTRONIC']);
const SLUG = /^[a-z][a-z0-9-]{1,39}$/;
const CODE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** Rows as read from a file, before validation; `row` is where they came from. */
export interface RawRow {
  row: number;
  value: Record<string, unknown>;
}

export function parseJsonCatalogue(text: string): RawRow[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new CatalogueInvalidError([{ row: 0, field: '(file)', message: `not valid JSON: ${(err as Error).message}` }]);
  }
  const items = Array.isArray(doc) ? doc : (doc as { items?: unknown })?.items;
  if (!Array.isArray(items)) throw new CatalogueInvalidError([{ row: 0, field: '(file)', message: 'expected an array of items or { "items": [...] }' }]);
  return items.map((value, i) => ({ row: i + 1, value: (typeof value === 'object' && value !== null ? value : { __notObject: true }) as Record<string, unknown> }));
}

/** RFC 4180 CSV (quotes, doubled quotes, newlines inside quotes). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') row.push(field), (field = '');
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      (row = []), (field = '');
    } else field += c;
  }
  if (field !== '' || row.length) row.push(field), rows.push(row);
  return rows;
}

export const CSV_COLUMNS = ['code', 'name', 'department', 'itemType', 'handlingMode', 'promisedWorkingDays', 'legalWorkingDays', 'maxVisits', 'channels', 'fee', 'materials'] as const;

/**
 * CSV: one item a line, the columns above; `channels` separated by `;`; `materials` as
 * `code|name|form|copies|required|deferrable|sharedBy` entries separated by `;`.
 */
export function parseCsvCatalogue(text: string): RawRow[] {
  const lines = parseCsv(text.replace(/^\uFEFF/, ''));
  const header = lines[0]?.map((h) => h.trim()) ?? [];
  const missing = CSV_COLUMNS.filter((c) => !header.includes(c));
  if (missing.length) throw new CatalogueInvalidError([{ row: 1, field: '(header)', message: `missing column(s): ${missing.join(', ')}` }]);
  const out: RawRow[] = [];
  lines.slice(1).forEach((cells, i) => {
    if (cells.every((c) => c.trim() === '')) return;
    const get = (name: string) => cells[header.indexOf(name)]?.trim() ?? '';
    const num = (name: string) => (get(name) === '' ? null : Number(get(name)));
    out.push({
      row: i + 2,
      value: {
        code: get('code'),
        name: get('name'),
        department: get('department'),
        itemType: get('itemType'),
        handlingMode: get('handlingMode'),
        promisedWorkingDays: num('promisedWorkingDays'),
        legalWorkingDays: num('legalWorkingDays'),
        maxVisits: num('maxVisits'),
        channels: get('channels').split(';').map((s) => s.trim()).filter(Boolean),
        fee: num('fee') ?? 0,
        materials: get('materials')
          .split(';')
          .map((s) => s.trim())
          .filter(Boolean)
          .map((m) => {
            const [code, name, form, copies, required, deferrable, sharedBy] = m.split('|').map((x) => x.trim());
            return { code, name, form, copies: copies === undefined || copies === '' ? 1 : Number(copies), required: required !== 'false', deferrable: deferrable === 'true', sharedBy: sharedBy || null };
          }),
      },
    });
  });
  return out;
}

/** Validates every row; returns the items, or throws with every problem found. */
export function validateCatalogue(rows: RawRow[]): ServiceItemSpec[] {
  const errors: CatalogueError[] = [];
  const items: ServiceItemSpec[] = [];
  const seen = new Map<string, number>();
  for (const { row, value: v } of rows) {
    const err = (field: string, message: string) => errors.push({ row, field, message });
    if (v.__notObject) {
      err('(item)', 'is not an object');
      continue;
    }
    const str = (f: string, re?: RegExp, hint?: string) => {
      const x = v[f];
      if (typeof x !== 'string' || x.trim() === '') return err(f, 'is required'), '';
      if (re && !re.test(x)) return err(f, hint ?? 'has an invalid format'), '';
      return x.trim();
    };
    const int = (f: string, min: number, nullable = false): number | null => {
      const x = v[f];
      if (x === null || x === undefined) return nullable ? null : (err(f, 'is required'), 0);
      if (typeof x !== 'number' || !Number.isInteger(x) || x < min) return err(f, `must be an integer ≥ ${min}`), 0;
      return x;
    };
    const code = str('code', CODE, 'letters, digits, _ . - (at most 64)');
    if (code && seen.has(code)) err('code', `duplicates row ${seen.get(code)}`);
    if (code) seen.set(code, row);
    const name = str('name');
    const department = str('department', SLUG, 'a department code: lower-case letters, digits and -');
    const itemType = str('itemType');
    const handlingMode = v.handlingMode;
    if (handlingMode !== 'IMMEDIATE' && handlingMode !== 'PROMISED') err('handlingMode', 'must be IMMEDIATE or PROMISED');
    const promised = int('promisedWorkingDays', 0) ?? 0;
    if (handlingMode === 'IMMEDIATE' && promised !== 0) err('promisedWorkingDays', 'must be 0 for an IMMEDIATE item');
    if (handlingMode === 'PROMISED' && promised < 1) err('promisedWorkingDays', 'must be at least 1 for a PROMISED item');
    const legal = int('legalWorkingDays', 0, true);
    if (legal !== null && legal < promised) err('legalWorkingDays', 'must not be shorter than promisedWorkingDays');
    const maxVisits = int('maxVisits', 0) ?? 0;
    const channels = v.channels;
    if (!Array.isArray(channels) || channels.length === 0) err('channels', 'must list at least one of WINDOW, STATION, SELF_SERVICE, ONLINE');
    else for (const c of channels) if (!CHANNELS.has(c as Channel)) err('channels', `unknown channel "${String(c)}"`);
    const fee = v.fee ?? 0;
    if (typeof fee !== 'number' || !Number.isFinite(fee) || fee < 0) err('fee', 'must be a non-negative number (yuan)');
    const materials: MaterialSpec[] = [];
    if (!Array.isArray(v.materials)) err('materials', 'must be a list');
    else {
      const codes = new Set<string>();
      v.materials.forEach((m: Record<string, unknown>, j: number) => {
        const f = (name: string) => `materials[${j + 1}].${name}`;
        if (typeof m !== 'object' || m === null) return err(`materials[${j + 1}]`, 'is not an object');
        if (typeof m.code !== 'string' || !CODE.test(m.code)) err(f('code'), 'is required: letters, digits, _ . -');
        else if (codes.has(m.code)) err(f('code'), 'appears twice in this item');
        else codes.add(m.code);
        if (typeof m.name !== 'string' || m.name.trim() === '') err(f('name'), 'is required');
        if (!FORMS.has(m.form as MaterialForm)) err(f('form'), 'must be ORIGINAL, COPY or ELECTRONIC');
        if (!Number.isInteger(m.copies ?? 1) || Number(m.copies ?? 1) < 1) err(f('copies'), 'must be an integer ≥ 1');
        if (m.required !== undefined && typeof m.required !== 'boolean') err(f('required'), 'must be true or false');
        if (m.deferrable !== undefined && typeof m.deferrable !== 'boolean') err(f('deferrable'), 'must be true or false');
        if (m.sharedBy !== undefined && m.sharedBy !== null && (typeof m.sharedBy !== 'string' || !SLUG.test(m.sharedBy))) err(f('sharedBy'), 'must be a department code or empty');
        materials.push({ code: String(m.code), name: String(m.name ?? '').trim(), form: m.form as MaterialForm, copies: Number(m.copies ?? 1), required: m.required !== false, deferrable: m.deferrable === true, sharedBy: (m.sharedBy as string | null | undefined) ?? null });
      });
    }
    items.push({ code, name, department, itemType, handlingMode: handlingMode as HandlingMode, promisedWorkingDays: promised, legalWorkingDays: legal, maxVisits, channels: (channels ?? []) as Channel[], fee: Number(fee), materials, sample: v.sample === true });
  }
  if (rows.length === 0) errors.push({ row: 0, field: '(file)', message: 'contains no items' });
  if (errors.length) throw new CatalogueInvalidError(errors);
  return items;
}

/** Imports (inserts or replaces) every item in one transaction. */
export async function importCatalogue(db: { transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> }, items: readonly ServiceItemSpec[]): Promise<number> {
  return db.transaction(async (tx) => {
    for (const i of items) {
      await tx.query(
        `insert into service_items (code, name, department, item_type, handling_mode, promised_working_days, legal_working_days, max_visits, channels, fee, materials, sample, imported_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb, $12, now())
         on conflict (code) do update set name = excluded.name, department = excluded.department, item_type = excluded.item_type,
           handling_mode = excluded.handling_mode, promised_working_days = excluded.promised_working_days, legal_working_days = excluded.legal_working_days,
           max_visits = excluded.max_visits, channels = excluded.channels, fee = excluded.fee, materials = excluded.materials, sample = excluded.sample, imported_at = now()`,
        [i.code, i.name, i.department, i.itemType, i.handlingMode, i.promisedWorkingDays, i.legalWorkingDays, i.maxVisits, i.channels, i.fee, JSON.stringify(i.materials), i.sample],
      );
    }
    return items.length;
  });
}

export function parseCatalogueText(text: string, fileName: string): ServiceItemSpec[] {
  return validateCatalogue(/\.csv$/i.test(fileName) ? parseCsvCatalogue(text) : parseJsonCatalogue(text));
}
