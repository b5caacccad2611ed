import type { Dispatcher } from 'undici';
import { MalformedResponseError, UpstreamRejectedError } from '../errors.js';
import { json, send, type CallMeta } from '../http.js';

export const DEPARTMENT = 'health';

export interface HealthWireMember {
  hh: string;
  cyxh: string;
  sfzh?: string;
  records?: { xmdm: string; zt: string; je?: number | null; ksrq?: string | null; jsrq?: string | null }[];
}

/** Members by household number + member number (the department's key), at most 30 a call. */
export async function queryMembers(dispatcher: Dispatcher, base: URL, members: { hh: string; cyxh: string }[], ctx: CallMeta): Promise<HealthWireMember[]> {
  const answer = await send(dispatcher, DEPARTMENT, {
    method: 'POST',
    url: new URL('/wjw/api/family/members', base),
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ members }),
    signal: ctx.signal,
    meta: ctx,
  });
  const body = json<{ status?: unknown; result?: unknown }>(DEPARTMENT, answer);
  if (answer.status !== 200 || body.status !== 'success') throw new UpstreamRejectedError(DEPARTMENT, `the member query was refused (HTTP ${answer.status})`);
  if (!Array.isArray(body.result)) throw new MalformedResponseError(DEPARTMENT, 'the member query answer has no result list');
  return body.result as HealthWireMember[];
}

export async function changes(dispatcher: Dispatcher, base: URL, cursor: number, ctx: CallMeta): Promise<{ ids: string[]; next: number }> {
  const url = new URL('/wjw/api/changes', base);
  url.searchParams.set('cursor', String(cursor));
  url.searchParams.set('limit', '500');
  const answer = await send(dispatcher, DEPARTMENT, { method: 'GET', url, signal: ctx.signal, meta: ctx });
  const body = json<{ result?: { sfzh?: unknown }[]; cursor?: unknown }>(DEPARTMENT, answer);
  if (answer.status !== 200 || !Array.isArray(body.result) || typeof body.cursor !== 'number') throw new MalformedResponseError(DEPARTMENT, 'the change feed answer is not in the department format');
  // Members without a recorded ID number cannot be mapped to a cache entry; they expire by TTL.
  return { ids: body.result.filter((c) => typeof c.sfzh === 'string').map((c) => String(c.sfzh)), next: body.cursor };
}
