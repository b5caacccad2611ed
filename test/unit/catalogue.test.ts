import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CatalogueInvalidError, importCatalogue, parseCatalogueText, parseCsv, type ServiceItemSpec } from '../../src/cases/catalogue.js';
import { SAMPLE_CATALOGUE } from '../../src/config.js';
import { PGliteDb } from '../../src/db/db.js';
import { migrate } from '../../src/db/migrations.js';

const sample = () => parseCatalogueText(readFileSync(SAMPLE_CATALOGUE, 'utf8'), SAMPLE_CATALOGUE);
const errorsOf = (f: () => unknown) => {
  try {
    f();
  } catch (err) {
    if (err instanceof CatalogueInvalidError) return err.errors.map((e) => `${e.row} ${e.field}`);
    throw err;
  }
  throw new Error('expected the catalogue to be refused');
};

describe('catalogue', () => {
  it('the sample: 153 items, 95 instant, 27 station items, the self-service and reform items, shared materials', () => {
    const items = sample();
    expect(items).toHaveLength(153);
    expect(items.filter((i) => i.handlingMode === 'IMMEDIATE')).toHaveLength(95);
    expect(items.filter((i) => i.channels.includes('STATION'))).toHaveLength(27);
    const names = new Set(items.map((i) => i.name));
    for (const n of ['打印社会保险个人缴费记录', '查询定点医疗机构', '变更定点医疗机构', '医药费用手工报销', '城乡居民基本医疗保险参保登记', '残疾人证新办', '独生子女父母奖励申领']) expect(names).toContain(n);
    expect(items.find((i) => i.name === '打印社会保险个人缴费记录')!.channels).toContain('SELF_SERVICE');
    expect(items.find((i) => i.name === '查询定点医疗机构')!.channels).toContain('SELF_SERVICE');
    const sharers = new Set(items.flatMap((i) => i.materials.flatMap((m) => (m.sharedBy ? [m.sharedBy] : []))));
    expect(sharers).toEqual(new Set(['population', 'social-insurance', 'medical-insurance', 'civil-affairs', 'health', 'disabled-persons']));
    expect(items.every((i) => i.sample)).toBe(true);
  });

  it('names the row and the field of every error, all at once', () => {
    const items = sample().slice(0, 3) as Partial<ServiceItemSpec>[];
    const broken = [
      { ...items[0], handlingMode: 'SOMETIMES' },
      { ...items[1], promisedWorkingDays: -1, channels: ['WINDOW', 'FAX'] },
      { ...items[2], code: items[0]!.code, materials: [{ code: 'X', name: '', form: 'PAPER', required: true }] },
    ];
    expect(errorsOf(() => parseCatalogueText(JSON.stringify({ items: broken }), 'c.json')).sort()).toEqual(
      ['1 handlingMode', '2 promisedWorkingDays', '2 channels', '3 code', '3 materials[1].name', '3 materials[1].form'].sort(),
    );
    expect(errorsOf(() => parseCatalogueText('{', 'c.json'))).toEqual(['0 (file)']);
  });

  it('reads CSV (quotes, ; lists, | material fields) and names the CSV line of an error', () => {
    expect(parseCsv('a,"b,""c""",d\n1,2,3\n')).toEqual([['a', 'b,"c"', 'd'], ['1', '2', '3']]);
    const header = 'code,name,department,itemType,handlingMode,promisedWorkingDays,legalWorkingDays,maxVisits,channels,fee,materials';
    const ok = `${header}\nX-1,"变更定点医疗机构",medical-insurance,公共服务,IMMEDIATE,0,,1,WINDOW;STATION,0,ID_CARD|居民身份证|ORIGINAL|1|true|false|population;PHOTO|照片|ORIGINAL|2|true|true|\n`;
    const [item] = parseCatalogueText(ok, 'c.csv');
    expect(item).toMatchObject({ code: 'X-1', channels: ['WINDOW', 'STATION'], materials: [{ code: 'ID_CARD', sharedBy: 'population' }, { code: 'PHOTO', copies: 2, deferrable: true, sharedBy: null }] });
    expect(errorsOf(() => parseCatalogueText(`${header}\nX-1,a,medical-insurance,t,IMMEDIATE,0,,1,WINDOW,0,\nX-2,b,Bad Dept,t,PROMISED,0,,1,WINDOW,0,`, 'c.csv')).sort()).toEqual(['3 department', '3 promisedWorkingDays'].sort());
  });

  it('imports all or nothing', async () => {
    const db = await PGliteDb.open(null);
    try {
      await migrate(db);
      const items = sample();
      expect(await importCatalogue(db, items.slice(0, 10))).toBe(10);
      const bad = [...items.slice(10, 20), { ...items[20]!, department: 'x'.repeat(1) }];
      // invalid rows never reach the database: validation refuses the file first
      expect(() => parseCatalogueText(JSON.stringify(bad), 'c.json')).toThrow(CatalogueInvalidError);
      // and a failure inside the transaction (here: a constraint) leaves the table as it was
      const violating = [...items.slice(10, 20), { ...items[20]!, promisedWorkingDays: -5 }];
      await expect(importCatalogue(db, violating)).rejects.toThrow();
      expect((await db.query<{ n: number }>('select count(*)::int as n from service_items')).rows[0]!.n).toBe(10);
    } finally {
      await db.close();
    }
  }, 30_000);
});
