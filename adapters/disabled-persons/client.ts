import type { Dispatcher } from 'undici';
import { MalformedResponseError, UpstreamRejectedError } from '../errors.js';
import { json, send, type CallMeta } from '../http.js';

export const DEPARTMENT = 'disabled-persons';

export interface DpWireCertificate {
  certNo: string;
  category: number;
  grade: number;
  issueDate?: string;
  validUntil?: string;
  subsidies?: { type: string; state: string; amount?: number; from?: string }[];
}

export async function queryCertificates(dispatcher: Dispatcher, base: URL, ids: readonly string[], ctx: CallMeta): Promise<DpWireCertificate[]> {
  const answer = await send(dispatcher, DEPARTMENT, {
    method: 'POST',
    url: new URL('/cdpf/api/v1/certificates/query', base),
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ idNumbers: ids }),
    signal: ctx.signal,
    meta: ctx,
  });
  const body = json<{ success?: unknown; data?: unknown }>(DEPARTMENT, answer);
  if (answer.status !== 200 || body.success !== true) throw new UpstreamRejectedError(DEPARTMENT, `the certificate query was refused (HTTP ${answer.status})`);
  if (!Array.isArray(body.data)) throw new MalformedResponseError(DEPARTMENT, 'the certificate answer has no data list');
  return body.data as DpWireCertificate[];
}

export async function changes(dispatcher: Dispatcher, base: URL, cursor: number, ctx: CallMeta): Promise<{ certNos: string[]; next: number }> {
  const url = new URL('/cdpf/api/v1/changes', base);
  url.searchParams.set('cursor', String(cursor));
  url.searchParams.set('limit', '500');
  const answer = await send(dispatcher, DEPARTMENT, { method: 'GET', url, signal: ctx.signal, meta: ctx });
  const body = json<{ data?: { certNo?: unknown }[]; cursor?: unknown }>(DEPARTMENT, answer);
  if (answer.status !== 200 || !Array.isArray(body.data) || typeof body.cursor !== 'number') throw new MalformedResponseError(DEPARTMENT, 'the change feed answer is not in the department format');
  return { certNos: body.data.map((c) => String(c.certNo)), next: body.cursor };
}
