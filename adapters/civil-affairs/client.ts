/**
 * The civil-affairs web service: XML in GBK both ways. Business errors come back as HTTP 200 with a
 * non-zero <Code>. iconv-lite decodes GBK (Node's TextDecoder only knows it with full ICU, and
 * then not for encoding); fast-xml-parser reads the XML.
 */
import iconv from 'iconv-lite';
import { XMLBuilder, XMLParser } from 'fast-xml-parser';
import type { Dispatcher } from 'undici';
import { MalformedResponseError, UpstreamRejectedError } from '../errors.js';
import { send, type CallMeta } from '../http.js';

export const DEPARTMENT = 'civil-affairs';

export interface CaWireBenefit {
  Lb: string;
  Mc?: string;
  Zt: string;
  Je?: string;
  Ksrq?: string;
  Jsrq?: string;
}
export interface CaWirePerson {
  Sfzh: string;
  Xm?: string;
  Hyzk?: string;
  Dyxx?: { Dy?: CaWireBenefit[] } | '';
}

const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  isArray: (name, jpath) => jpath === 'Response.Persons.Person' || jpath === 'Response.Persons.Person.Dyxx.Dy' || jpath === 'Response.Changes.Change',
});
const builder = new XMLBuilder({});

function decode(body: Buffer): Record<string, unknown> {
  let doc: { Response?: Record<string, unknown> };
  try {
    doc = parser.parse(iconv.decode(body, 'gbk')) as typeof doc;
  } catch (err) {
    throw new MalformedResponseError(DEPARTMENT, 'the answer is not well-formed XML', { cause: err });
  }
  if (!doc.Response || typeof doc.Response !== 'object') throw new MalformedResponseError(DEPARTMENT, 'the answer has no <Response> element');
  if (String(doc.Response.Code) !== '0') throw new UpstreamRejectedError(DEPARTMENT, `the department answered business code ${String(doc.Response.Code)}`);
  return doc.Response;
}

export async function queryPersons(dispatcher: Dispatcher, base: URL, ids: readonly string[], ctx: CallMeta): Promise<CaWirePerson[]> {
  const xml = '<?xml version="1.0" encoding="GBK"?>' + builder.build({ Request: { Sfzh: [...ids] } });
  const answer = await send(dispatcher, DEPARTMENT, {
    method: 'POST',
    url: new URL('/ws/mz/PersonQuery', base),
    headers: { 'content-type': 'text/xml; charset=GBK' },
    body: iconv.encode(xml, 'gbk'),
    signal: ctx.signal,
    meta: ctx,
  });
  if (answer.status !== 200) throw new UpstreamRejectedError(DEPARTMENT, `the person query was refused (HTTP ${answer.status})`);
  const response = decode(answer.body);
  const persons = (response.Persons as { Person?: CaWirePerson[] } | '' | undefined) || {};
  return persons.Person ?? [];
}

export async function changes(dispatcher: Dispatcher, base: URL, cursor: number, ctx: CallMeta): Promise<{ ids: string[]; next: number }> {
  const url = new URL('/ws/mz/Changes', base);
  url.searchParams.set('cursor', String(cursor));
  url.searchParams.set('limit', '500');
  const answer = await send(dispatcher, DEPARTMENT, { method: 'GET', url, signal: ctx.signal, meta: ctx });
  if (answer.status !== 200) throw new UpstreamRejectedError(DEPARTMENT, `the change feed was refused (HTTP ${answer.status})`);
  const response = decode(answer.body);
  const list = ((response.Changes as { Change?: { Sfzh?: unknown }[] } | '' | undefined) || {}).Change ?? [];
  const next = Number(response.Next);
  if (!Number.isInteger(next)) throw new MalformedResponseError(DEPARTMENT, 'the change feed answer has no <Next> cursor');
  return { ids: list.map((c) => String(c.Sfzh)), next };
}
