/**
 * 民政 — civil affairs. XML in GBK (the request must be GBK too; Content-Type says so), batch of at
 * most 20 ID numbers. 低保 (DB), 特困 (TK), 高龄津贴 (GL), marriage status (婚姻状况).
 * Business errors come back as HTTP 200 with a non-zero <Code>, as such systems do.
 * The XML schema is served at /ws/mz/schema.xsd.
 */
import iconv from 'iconv-lite';
import { XMLBuilder, XMLParser } from 'fast-xml-parser';
import type { World } from '../data/world.js';
import { BENEFIT_NAMES } from '../data/world.js';
import { parseStatus, setBenefit } from '../data/benefits.js';
import { addCaseDesk } from '../sim/case-desk.js';
import { openapi, Simulator, batchAnswer, type FaultOptions, type SimResponse } from '../sim/simulator.js';

export const CIVIL_AFFAIRS_BATCH_LIMIT = 20;

export const KIND_CODES: Record<string, string> = { LOW_INCOME_ALLOWANCE: 'DB', EXTREME_POVERTY_SUPPORT: 'TK', OLD_AGE_ALLOWANCE: 'GL' };
const STATUS_WORDS: Record<string, string> = { ACTIVE: '正常', SUSPENDED: '暂停', ENDED: '终止', PENDING: '审核中' };

const builder = new XMLBuilder({ ignoreAttributes: false, format: false, suppressEmptyNode: false });
const parser = new XMLParser({ ignoreAttributes: true, parseTagValue: false, isArray: (name) => name === 'Sfzh' });

function xml(status: number, obj: unknown): SimResponse {
  const text = '<?xml version="1.0" encoding="GBK"?>' + builder.build(obj);
  return { status, headers: { 'content-type': 'text/xml; charset=GBK' }, body: iconv.encode(text, 'gbk') };
}

const fault = (code: string, message: string) => xml(200, { Response: { Code: code, Message: message } });

export const CIVIL_AFFAIRS_XSD = `<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" elementFormDefault="qualified">
  <xs:element name="Request">
    <xs:complexType><xs:sequence>
      <xs:element name="Sfzh" type="xs:string" minOccurs="1" maxOccurs="${CIVIL_AFFAIRS_BATCH_LIMIT}"/>
    </xs:sequence></xs:complexType>
  </xs:element>
  <xs:element name="Response">
    <xs:complexType><xs:sequence>
      <xs:element name="Code" type="xs:string"/>
      <xs:element name="Message" type="xs:string" minOccurs="0"/>
      <xs:element name="Persons" minOccurs="0"><xs:complexType><xs:sequence>
        <xs:element name="Person" minOccurs="0" maxOccurs="unbounded"><xs:complexType><xs:sequence>
          <xs:element name="Sfzh" type="xs:string"/>
          <xs:element name="Xm" type="xs:string"/>
          <xs:element name="Hyzk" type="xs:string"/>
          <xs:element name="Dyxx"><xs:complexType><xs:sequence>
            <xs:element name="Dy" minOccurs="0" maxOccurs="unbounded"><xs:complexType><xs:sequence>
              <xs:element name="Lb" type="xs:string"/><xs:element name="Mc" type="xs:string"/>
              <xs:element name="Zt" type="xs:string"/><xs:element name="Je" type="xs:decimal" minOccurs="0"/>
              <xs:element name="Ksrq" type="xs:date" minOccurs="0"/><xs:element name="Jsrq" type="xs:date" minOccurs="0"/>
            </xs:sequence></xs:complexType></xs:element>
          </xs:sequence></xs:complexType></xs:element>
        </xs:sequence></xs:complexType></xs:element>
      </xs:sequence></xs:complexType></xs:element>
      <xs:element name="Changes" minOccurs="0"/>
      <xs:element name="Next" type="xs:integer" minOccurs="0"/>
    </xs:sequence></xs:complexType>
  </xs:element>
</xs:schema>`;

export function createCivilAffairsSimulator(world: World, faults: Partial<FaultOptions> = {}): Simulator {
  const sim = new Simulator('civil-affairs', faults, {});
  sim.route('POST', '/ws/mz/PersonQuery', 'person.query', (req) => {
    const ctype = String(req.headers['content-type'] ?? '');
    if (!/charset=gbk/i.test(ctype)) return fault('E100', '请求必须为GBK编码的XML');
    let ids: string[];
    try {
      const doc = parser.parse(iconv.decode(req.body, 'gbk')) as { Request?: { Sfzh?: unknown[] } };
      ids = (doc.Request?.Sfzh ?? []).map(String);
    } catch {
      return fault('E102', '报文格式错误');
    }
    if (ids.length === 0) return fault('E102', '报文格式错误');
    if (ids.length > CIVIL_AFFAIRS_BATCH_LIMIT) return fault('E101', `每次查询不超过${CIVIL_AFFAIRS_BATCH_LIMIT}人`);
    sim.recordBatch('person.query', ids.length);
    const answer = (ids: string[]) => xml(200, { Response: { Code: '0', Message: '成功', Persons: { Person: ids.flatMap((id) => {
      const p = world.byId.get(id);
      if (!p) return [];
      return [{
        Sfzh: p.idNumber,
        Xm: p.name,
        Hyzk: p.civil.marriage,
        Dyxx: { Dy: p.civil.benefits.map((b) => ({ Lb: KIND_CODES[b.kind], Mc: BENEFIT_NAMES[b.kind], Zt: STATUS_WORDS[b.status], ...(b.monthlyAmount !== undefined ? { Je: b.monthlyAmount.toFixed(2) } : {}), ...(b.startDate ? { Ksrq: b.startDate } : {}), ...(b.endDate ? { Jsrq: b.endDate } : {}) })) },
      }];
    }) } } });
    return batchAnswer(ids, world.people, answer);
  });
  sim.route('GET', '/ws/mz/Changes', 'changes', (req) => {
    const { changes, next } = sim.changesSince(Number(req.query.get('cursor') ?? '0'), Math.min(Number(req.query.get('limit') ?? '100'), 500));
    return xml(200, { Response: { Code: '0', Changes: { Change: changes.map((c) => ({ Sfzh: c.sfzh, Lx: c.lx })) }, Next: next } });
  });
  sim.route('GET', '/ws/mz/schema.xsd', 'schema', () => ({ status: 200, headers: { 'content-type': 'application/xml; charset=utf-8' }, body: CIVIL_AFFAIRS_XSD }));
  sim.route('GET', '/openapi.json', 'openapi', () => ({
    status: 200,
    body: openapi('民政 civil affairs (XML/GBK; see /ws/mz/schema.xsd)', {
      '/ws/mz/PersonQuery': { post: { summary: `GBK XML <Request><Sfzh/>…</Request>, at most ${CIVIL_AFFAIRS_BATCH_LIMIT}`, requestBody: { content: { 'text/xml; charset=GBK': {} } }, responses: { '200': { description: 'GBK XML <Response><Code>0</Code><Persons>…' } } } },
      '/ws/mz/Changes': { get: { summary: 'Change feed (GBK XML)', responses: { '200': { description: '<Response><Changes><Change><Sfzh/><Lx/></Change></Changes><Next/></Response>' } } } },
    }),
  }));
  sim.control('mutate', (body) => {
    const p = world.byId.get(String(body.idNumber));
    const status = parseStatus(body.status);
    if (!p || !status || typeof body.kind !== 'string' || !KIND_CODES[body.kind]) return { error: 'need idNumber, kind (LOW_INCOME_ALLOWANCE|EXTREME_POVERTY_SUPPORT|OLD_AGE_ALLOWANCE) and status' };
    setBenefit(p.civil.benefits, body.kind, status, typeof body.monthlyAmount === 'number' ? body.monthlyAmount : undefined);
    sim.emitChange({ sfzh: p.idNumber, lx: 'DY' });
    return { ok: true };
  });
  addCaseDesk(sim, 'MZ');
  return sim;
}
