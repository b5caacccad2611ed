import type { Dispatcher } from 'undici';
import { MalformedResponseError, UpstreamRejectedError } from '../errors.js';
import { json, send, type CallMeta } from '../http.js';

export const DEPARTMENT = 'medical-insurance';

export interface MiWireInsured {
  sfzh: string;
  xzlx: string;
  cbzt: string;
  cbrq?: string;
  ddyy?: { yydm: string; yymc: string; yydj?: string; dz?: string }[];
  dyxx?: { lx: string; zt: string; ksrq?: string; jsrq?: string | null }[];
}

/** One person (the department has no batch endpoint); null when not insured here. */
export async function getInsured(dispatcher: Dispatcher, base: URL, clientId: string, id: string, ctx: CallMeta): Promise<MiWireInsured | null> {
  const answer = await send(dispatcher, DEPARTMENT, {
    method: 'GET',
    url: new URL(`/mi/v1/insured/${encodeURIComponent(id)}`, base),
    headers: { 'x-client-id': clientId },
    signal: ctx.signal,
    meta: ctx,
  });
  if (answer.status === 404) return null;
  const body = json<MiWireInsured>(DEPARTMENT, answer);
  if (answer.status !== 200) throw new UpstreamRejectedError(DEPARTMENT, `the enrolment lookup was refused (HTTP ${answer.status})`);
  if (typeof body !== 'object' || body === null || body.sfzh !== id) throw new MalformedResponseError(DEPARTMENT, 'the enrolment answer is not for the person asked');
  return body;
}

export async function changes(dispatcher: Dispatcher, base: URL, clientId: string, cursor: string, ctx: CallMeta): Promise<{ ids: string[]; next: string }> {
  const url = new URL('/mi/v1/changes', base);
  url.searchParams.set('cursor', cursor);
  url.searchParams.set('limit', '500');
  const answer = await send(dispatcher, DEPARTMENT, { method: 'GET', url, headers: { 'x-client-id': clientId }, signal: ctx.signal, meta: ctx });
  const body = json<{ items?: { sfzh?: unknown }[]; nextCursor?: unknown }>(DEPARTMENT, answer);
  if (answer.status !== 200 || !Array.isArray(body.items) || typeof body.nextCursor !== 'string') throw new MalformedResponseError(DEPARTMENT, 'the change feed answer is not in the department format');
  return { ids: body.items.map((c) => String(c.sfzh)), next: body.nextCursor };
}
