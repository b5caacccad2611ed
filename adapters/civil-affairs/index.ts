/** 民政 — 低保, 特困, 高龄津贴 over the department's GBK XML web service, batches of 20. */
import { caseDesk } from '../case-desk.js';
import { CONTRACT_VERSION, defineAdapter, requireUrl } from '../contract.js';
import { slots, recordsByKey } from '../http.js';
import { changes, queryPersons } from './client.js';
import { toEntitlements, toEvidence } from './map.js';

const department = { code: 'civil-affairs', name: '民政' };

export default defineAdapter({
  department,
  parseConfig: (raw) => ({ baseUrl: requireUrl(raw, 'CIVIL_AFFAIRS_URL') }),
  create: (config, { dispatcher }) => ({
    department,
    contractVersion: CONTRACT_VERSION,
    maxConcurrency: 6,
    fetchers: {
      persons: {
        batchLimit: 20,
        cacheTtlSeconds: 1800,
        batch: async (ids, ctx) => {
          const found = recordsByKey(department.code, ids, await queryPersons(dispatcher, config.baseUrl, ids, ctx), (p) => String(p.Sfzh));
          return slots(ids, found, (p) => ({ entitlements: toEntitlements(p), evidence: toEvidence(p) }), { entitlements: [], evidence: [] });
        },
      },
    },
    capabilities: { entitlements: 'persons', evidence: 'persons' },
    cases: caseDesk(department.code, dispatcher, config.baseUrl),
    changes: async (cursor, ctx) => {
      const { ids, next } = await changes(dispatcher, config.baseUrl, Number(cursor ?? 0), ctx);
      return { idNumbers: ids, nextCursor: String(next) };
    },
    health: () => ({ status: 'UP' }),
  }),
});
