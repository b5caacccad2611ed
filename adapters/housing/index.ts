/**
 * 住房保障 — the worked example of docs/ADAPTERS.md: an adapter a department writes and runs in
 * its own network zone, served to the hub over the remote protocol (adapters/housing/serve.ts).
 */
import { CONTRACT_VERSION, defineAdapter, requireUrl, type EntitlementRecord } from '../contract.js';
import { MalformedResponseError, UpstreamRejectedError } from '../errors.js';
import { json, send, slots, recordsByKey } from '../http.js';

const department = { code: 'housing', name: '住房保障' };
const KINDS: Record<string, { kind: string; name: string }> = {
  RENT_SUBSIDY: { kind: 'RENT_SUBSIDY', name: '公租房租金补贴' },
  PUBLIC_RENTAL: { kind: 'PUBLIC_RENTAL_HOUSING', name: '公共租赁住房' },
};

interface Row {
  sfzh: string;
  items: { type: string; status: string; amount: number | null; from: string }[];
}

function toEntitlements(r: Row): EntitlementRecord[] {
  return r.items.map((i) => {
    const k = KINDS[i.type];
    if (!k) throw new MalformedResponseError(department.code, 'an item has an unknown type');
    return { id: `${i.type}-${i.from}`, kind: k.kind, name: k.name, status: i.status === '正常' ? 'ACTIVE' : 'SUSPENDED', monthlyAmount: i.amount, startDate: i.from };
  });
}

export default defineAdapter({
  department,
  parseConfig: (raw) => ({ baseUrl: requireUrl(raw, 'HOUSING_URL') }),
  create: (config, { dispatcher }) => ({
    department,
    contractVersion: CONTRACT_VERSION,
    maxConcurrency: 4,
    fetchers: {
      query: {
        batchLimit: 40,
        cacheTtlSeconds: 600,
        batch: async (ids, ctx) => {
          const answer = await send(dispatcher, department.code, { method: 'POST', url: new URL('/api/zfbz/query', config.baseUrl), headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ids }), signal: ctx.signal, meta: ctx });
          const body = json<{ ok?: unknown; rows?: Row[] }>(department.code, answer);
          if (answer.status !== 200 || body.ok !== true || !Array.isArray(body.rows)) throw new UpstreamRejectedError(department.code, `the query was refused (HTTP ${answer.status})`);
          return slots(ids, recordsByKey(department.code, ids, body.rows, (r) => r.sfzh), (r) => ({ entitlements: toEntitlements(r) }), { entitlements: [] });
        },
      },
    },
    capabilities: { entitlements: 'query' },
    health: () => ({ status: 'UP' }),
  }),
});
