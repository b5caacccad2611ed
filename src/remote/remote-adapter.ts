/**
 * A registered remote adapter, seen by the hub as any other Adapter: its fetchers call the
 * adapter's protocol endpoints, so the gateway in front of it batches, caches, times out and
 * contains failures exactly as for the bundled ones. Every call carries the hub's token and the
 * correlation headers; an adapter that missed its heartbeats is DOWN and is not called at all.
 */
import type { Dispatcher } from 'undici';
import { caseDesk } from '../../adapters/case-desk.js';
import { CONTRACT_VERSION, type Adapter, type CallContext, type DepartmentData, type EntitlementRecord, type EvidenceRecord, type Fetcher, type ResidentRecord } from '../../adapters/contract.js';
import { MalformedResponseError, UpstreamRejectedError, UpstreamUnavailableError } from '../../adapters/errors.js';
import { json, send } from '../../adapters/http.js';
import type { HubKeys } from './hub-keys.js';
import type { Registration } from './protocol.js';
import { correlationHeaders } from '../../adapters/correlation.js';

export interface RemoteAdapterDeps {
  dispatcher: Dispatcher;
  keys: HubKeys;
  /** Whether the adapter's heartbeat is current (read from the shared liveness store). */
  isAlive(): boolean;
  /** The catalogue's materials this department vouches for (what to ask of `evidence`). */
  evidenceMaterials(): string[];
}

type Result = { idNumber?: unknown; error?: { code?: unknown; message?: unknown }; [k: string]: unknown };

export function remoteAdapter(reg: Registration, deps: RemoteAdapterDeps): Adapter {
  const code = reg.department.code;
  const base = new URL(reg.baseUrl + '/');
  const headers = async (ctx: CallContext | null): Promise<Record<string, string>> => ({
    authorization: `Bearer ${await deps.keys.sign(code, ctx?.operator ?? 'hub')}`,
    ...(ctx ? correlationHeaders(ctx) : {}),
  });

  const post = async (path: string, body: unknown, ctx: CallContext): Promise<Result[]> => {
    if (!deps.isAlive()) throw new UpstreamUnavailableError(code, 'the adapter missed its heartbeats or deregistered');
    const answer = await send(deps.dispatcher, code, { method: 'POST', url: new URL(path, base), headers: { ...(await headers(ctx)), 'content-type': 'application/json' }, body: JSON.stringify(body), signal: ctx.signal });
    const parsed = json<{ results?: unknown; error?: { message?: unknown } }>(code, answer);
    if (answer.status !== 200) throw new UpstreamRejectedError(code, `the adapter refused the call (HTTP ${answer.status})`);
    if (!Array.isArray(parsed.results)) throw new MalformedResponseError(code, 'the adapter answer has no results list');
    return parsed.results as Result[];
  };

  /** Results in key order, checked: one per key, each naming the key it answers. */
  const perKey = (ids: readonly string[], results: Result[], map: (r: Result) => DepartmentData | null): Array<DepartmentData | null | Error> => {
    if (results.length !== ids.length) throw new MalformedResponseError(code, `the adapter answered ${results.length} results for ${ids.length} keys`);
    return results.map((r, i) => {
      if (typeof r !== 'object' || r === null) return new MalformedResponseError(code, 'a result is not an object');
      if (r.idNumber !== undefined && r.idNumber !== ids[i]) return new MalformedResponseError(code, 'results are out of order');
      if (r.error) return r.error.code === 'NOT_FOUND' ? null : new UpstreamRejectedError(code, `the adapter could not answer for a key (${String(r.error.code ?? 'error')})`);
      return map(r);
    });
  };

  const fetchers: Record<string, Fetcher> = {};
  const limit = (c: 'residents' | 'entitlements' | 'evidence') => Math.min(reg.batchLimits[c] ?? 50, 500);
  const ttl = (c: 'residents' | 'entitlements' | 'evidence') => reg.cacheTtlSeconds[c] ?? 300;
  if (reg.capabilities.includes('residents')) {
    fetchers.residents = {
      batchLimit: limit('residents'),
      cacheTtlSeconds: ttl('residents'),
      batch: async (ids, ctx) => perKey(ids, await post('v1/residents:batchGet', { idNumbers: ids }, ctx), (r) => (r.resident ? { resident: r.resident as ResidentRecord } : null)),
    };
  }
  if (reg.capabilities.includes('entitlements')) {
    fetchers.entitlements = {
      batchLimit: limit('entitlements'),
      cacheTtlSeconds: ttl('entitlements'),
      batch: async (ids, ctx) => perKey(ids, await post('v1/entitlements:batchGet', { idNumbers: ids }, ctx), (r) => ({ entitlements: (r.entitlements ?? []) as EntitlementRecord[] })),
    };
  }
  if (reg.capabilities.includes('evidence')) {
    fetchers.evidence = {
      batchLimit: Math.max(1, Math.floor(limit('evidence') / Math.max(1, deps.evidenceMaterials().length))),
      cacheTtlSeconds: ttl('evidence'),
      batch: async (ids, ctx) => {
        const materials = deps.evidenceMaterials();
        if (materials.length === 0) return ids.map(() => ({ evidence: [] }));
        const requests = ids.flatMap((idNumber) => materials.map((materialCode) => ({ idNumber, materialCode })));
        const results = await post('v1/evidence:batchGet', { requests }, ctx);
        if (results.length !== requests.length) throw new MalformedResponseError(code, `the adapter answered ${results.length} results for ${requests.length} requests`);
        return ids.map((_, i) => {
          const evidence: EvidenceRecord[] = [];
          for (let j = 0; j < materials.length; j++) {
            const r = results[i * materials.length + j]!;
            if (r?.error) return new UpstreamRejectedError(code, 'the adapter could not answer for a key');
            if (r?.available === true && typeof r.reference === 'string') evidence.push({ materialCode: materials[j]!, reference: r.reference, validUntil: typeof r.validUntil === 'string' ? r.validUntil : null });
          }
          return { evidence };
        });
      },
    };
  }

  const adapter: Adapter = {
    department: reg.department,
    contractVersion: CONTRACT_VERSION,
    maxConcurrency: 8,
    fetchers,
    capabilities: Object.fromEntries((['residents', 'entitlements', 'evidence'] as const).filter((c) => fetchers[c]).map((c) => [c, c])),
    health: () => ({ status: deps.isAlive() ? 'UP' : 'DOWN' }),
  };
  if (reg.capabilities.includes('cases')) adapter.cases = caseDesk(code, deps.dispatcher, base, { prefix: 'v1', headers: () => headers(null) });
  if (reg.capabilities.includes('changes')) {
    adapter.changes = async (cursor, ctx) => {
      if (!deps.isAlive()) throw new UpstreamUnavailableError(code, 'the adapter is DOWN');
      const url = new URL('v1/changes', base);
      if (cursor) url.searchParams.set('cursor', cursor);
      url.searchParams.set('limit', '500');
      const answer = await send(deps.dispatcher, code, { method: 'GET', url, headers: await headers(ctx), signal: ctx.signal });
      const body = json<{ changes?: { idNumber?: unknown }[]; nextCursor?: unknown }>(code, answer);
      if (answer.status !== 200 || !Array.isArray(body.changes) || typeof body.nextCursor !== 'string') throw new MalformedResponseError(code, 'the change feed answer is not in the protocol format');
      return { idNumbers: body.changes.flatMap((c) => (typeof c.idNumber === 'string' ? [c.idNumber] : [])), nextCursor: body.nextCursor };
    };
  }
  return adapter;
}
