/** 人口库 — the population registry: core resident records, batches of 50. */
import { caseDesk } from '../case-desk.js';
import { CONTRACT_VERSION, defineAdapter, requireUrl } from '../contract.js';
import { slots, recordsByKey } from '../http.js';
import { batchPersons, changes } from './client.js';
import { toResident } from './map.js';

const department = { code: 'population', name: '人口库' };

export default defineAdapter({
  department,
  parseConfig: (raw) => ({ baseUrl: requireUrl(raw, 'POPULATION_URL') }),
  create: (config, { dispatcher }) => ({
    department,
    contractVersion: CONTRACT_VERSION,
    maxConcurrency: 8,
    fetchers: {
      persons: {
        batchLimit: 50,
        cacheTtlSeconds: 3600,
        batch: async (ids, ctx) => {
          const found = recordsByKey(department.code, ids, await batchPersons(dispatcher, config.baseUrl, ids, ctx), (p) => p.sfzh);
          return slots(ids, found, (p) => {
            const resident = toResident(p);
            const ref = `${resident.householdNo ?? 'RK'}-${resident.householdMemberNo ?? '0'}`;
            return { resident, evidence: [{ materialCode: 'ID_CARD', reference: `RK-ID-${ref}` }, ...(resident.householdNo ? [{ materialCode: 'HOUSEHOLD_REGISTER', reference: `RK-HJ-${ref}` }] : [])] };
          }, null);
        },
      },
    },
    capabilities: { residents: 'persons', evidence: 'persons' },
    cases: caseDesk(department.code, dispatcher, config.baseUrl),
    changes: async (cursor, ctx) => {
      const { ids, next } = await changes(dispatcher, config.baseUrl, Number(cursor ?? 0), ctx);
      return { idNumbers: ids, nextCursor: String(next) };
    },
    health: () => ({ status: 'UP' }),
  }),
});
