import type { Dispatcher } from 'undici';
import { MalformedResponseError, UpstreamRejectedError } from '../errors.js';
import { json, send, type CallMeta } from '../http.js';

export const DEPARTMENT = 'population';

/** A person as the registry sends it. */
export interface PopulationWirePerson {
  sfzh: string;
  xm: string;
  xb: string;
  csrq: string;
  lxdh?: string;
  zz?: string;
  sqmc?: string;
  hh?: string;
  cyxh?: string;
}

export async function batchPersons(dispatcher: Dispatcher, base: URL, ids: readonly string[], ctx: CallMeta): Promise<PopulationWirePerson[]> {
  const answer = await send(dispatcher, DEPARTMENT, {
    method: 'POST',
    url: new URL('/api/v2/persons/batch', base),
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ sfzhList: ids }),
    signal: ctx.signal,
    meta: ctx,
  });
  const body = json<{ code?: unknown; message?: unknown; data?: unknown }>(DEPARTMENT, answer);
  if (answer.status !== 200 || body.code !== 0) throw new UpstreamRejectedError(DEPARTMENT, `the registry refused the lookup (HTTP ${answer.status}, code ${String(body.code)})`);
  if (!Array.isArray(body.data)) throw new MalformedResponseError(DEPARTMENT, 'the registry answer has no data list');
  return body.data as PopulationWirePerson[];
}

export async function changes(dispatcher: Dispatcher, base: URL, since: number, ctx: CallMeta): Promise<{ ids: string[]; next: number }> {
  const url = new URL('/api/v2/changes', base);
  url.searchParams.set('since', String(since));
  url.searchParams.set('limit', '500');
  const answer = await send(dispatcher, DEPARTMENT, { method: 'GET', url, signal: ctx.signal, meta: ctx });
  const body = json<{ data?: { sfzh?: unknown }[]; next?: unknown }>(DEPARTMENT, answer);
  if (answer.status !== 200 || !Array.isArray(body.data) || typeof body.next !== 'number') throw new MalformedResponseError(DEPARTMENT, 'the change feed answer is not in the registry format');
  return { ids: body.data.map((c) => String(c.sfzh)), next: body.next };
}
