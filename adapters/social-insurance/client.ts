/**
 * The social-insurance system's HTTP API. Every data call needs a token from the handshake; tokens
 * expire (30 min in production) and an expired token answers 401 errcode 40101. `TokenSession`
 * fetches one lazily, shares one refresh among concurrent callers, and repeats a call once with a
 * fresh token when the department says the old one expired.
 */
import type { Dispatcher } from 'undici';
import { MalformedResponseError, UpstreamRejectedError } from '../errors.js';
import { json, send, type HttpAnswer, type HttpCall, type CallMeta } from '../http.js';

export const DEPARTMENT = 'social-insurance';

export interface SiWirePerson {
  aac001: string;
  aac002: string;
  aac008: string;
  xzlx?: string[];
  aac030?: string;
  ljjfys?: number;
  dyxx?: { dylb?: string; dyzt?: string; yfje?: string; kssj?: string; zzsj?: string }[];
}

export interface SiWirePayment {
  aae002: string;
  aae140: string;
  aae180: string;
  grjfe: string;
  dwjfe: string;
  jfbz: string;
}

export class TokenSession {
  private token: string | null = null;
  private refreshing: Promise<string> | null = null;
  /** Handshakes done, for observability (a test proves the mid-run expiry is handled). */
  handshakes = 0;

  constructor(
    private readonly dispatcher: Dispatcher,
    private readonly base: URL,
    private readonly appKey: string,
    private readonly appSecret: string,
  ) {}

  private async handshake(signal: AbortSignal): Promise<string> {
    this.handshakes++;
    const answer = await send(this.dispatcher, DEPARTMENT, {
      method: 'POST',
      url: new URL('/auth/token', this.base),
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ appKey: this.appKey, appSecret: this.appSecret }),
      signal,
    });
    const body = json<{ access_token?: unknown }>(DEPARTMENT, answer);
    if (answer.status !== 200 || typeof body.access_token !== 'string') {
      throw new UpstreamRejectedError(DEPARTMENT, `the token handshake was refused (HTTP ${answer.status}); check SOCIAL_INSURANCE_APP_KEY/SECRET`);
    }
    return body.access_token;
  }

  private async currentToken(signal: AbortSignal, stale?: string): Promise<string> {
    if (this.token && this.token !== stale) return this.token;
    this.refreshing ??= this.handshake(signal).finally(() => (this.refreshing = null));
    this.token = await this.refreshing;
    return this.token;
  }

  /** Sends an authorised call; on "token expired/invalid" gets a new token and sends it once more. */
  async call(make: (token: string) => HttpCall): Promise<HttpAnswer> {
    const probe = make('');
    let token = await this.currentToken(probe.signal);
    let answer = await send(this.dispatcher, DEPARTMENT, make(token));
    if (answer.status === 401) {
      token = await this.currentToken(probe.signal, token);
      answer = await send(this.dispatcher, DEPARTMENT, make(token));
    }
    if (answer.status === 401) throw new UpstreamRejectedError(DEPARTMENT, 'the department refused a freshly issued token');
    return answer;
  }
}

export async function queryPersons(session: TokenSession, base: URL, ids: readonly string[], ctx: CallMeta): Promise<SiWirePerson[]> {
  const answer = await session.call((token) => ({
    method: 'POST',
    url: new URL('/si/api/person/query', base),
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ aac002List: ids }),
    signal: ctx.signal,
    meta: ctx,
  }));
  const body = json<{ errcode?: unknown; data?: unknown }>(DEPARTMENT, answer);
  if (answer.status !== 200 || body.errcode !== 0) throw new UpstreamRejectedError(DEPARTMENT, `the person query was refused (HTTP ${answer.status}, errcode ${String(body.errcode)})`);
  if (!Array.isArray(body.data)) throw new MalformedResponseError(DEPARTMENT, 'the person query answer has no data list');
  return body.data as SiWirePerson[];
}

/**
 * All payment records of one person (the department allows at most 50 a page): the first page
 * tells the total, the remaining pages are asked for at once.
 */
export async function allPayments(session: TokenSession, base: URL, personNo: string, ctx: CallMeta): Promise<SiWirePayment[]> {
  const size = 50;
  const page = async (n: number): Promise<{ total: number; list: SiWirePayment[] } | null> => {
    const url = new URL('/si/api/payments', base);
    url.searchParams.set('aac001', personNo);
    url.searchParams.set('page', String(n));
    url.searchParams.set('size', String(size));
    const answer = await session.call((token) => ({ method: 'GET', url, headers: { authorization: `Bearer ${token}` }, signal: ctx.signal, meta: ctx }));
    if (answer.status === 404) return null;
    const body = json<{ total?: unknown; list?: unknown }>(DEPARTMENT, answer);
    if (answer.status !== 200 || typeof body.total !== 'number' || !Array.isArray(body.list)) throw new MalformedResponseError(DEPARTMENT, 'a payment page is not in the department format');
    return { total: body.total, list: body.list as SiWirePayment[] };
  };
  const first = await page(1);
  if (!first) return [];
  const pages = Math.ceil(first.total / size);
  const rest = await Promise.all(Array.from({ length: Math.max(0, pages - 1) }, (_, i) => page(i + 2)));
  return [first, ...rest].flatMap((p) => p?.list ?? []);
}

export async function changes(session: TokenSession, base: URL, cursor: number, ctx: CallMeta): Promise<{ ids: string[]; next: number }> {
  const url = new URL('/si/api/changes', base);
  url.searchParams.set('cursor', String(cursor));
  url.searchParams.set('limit', '500');
  const answer = await session.call((token) => ({ method: 'GET', url, headers: { authorization: `Bearer ${token}` }, signal: ctx.signal, meta: ctx }));
  const body = json<{ data?: { aac002?: unknown }[]; cursor?: unknown }>(DEPARTMENT, answer);
  if (answer.status !== 200 || !Array.isArray(body.data) || typeof body.cursor !== 'number') throw new MalformedResponseError(DEPARTMENT, 'the change feed answer is not in the department format');
  return { ids: body.data.map((c) => String(c.aac002)), next: body.cursor };
}
