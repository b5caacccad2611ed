/**
 * 卫健/计生 — family-planning benefits. The department keys its records by household number and
 * member number, not by ID number, so this adapter first asks the hub for the population records
 * (through the hub's own loaders and cache: no extra registry call when the resident is already
 * loaded), then queries the department by (household, member), at most 30 members a call.
 */
import { recordsByKey } from '../http.js';
import { caseDesk } from '../case-desk.js';
import { CONTRACT_VERSION, defineAdapter, requireUrl, type DepartmentData } from '../contract.js';
import { DependencyUnavailableError } from '../errors.js';
import { changes, queryMembers } from './client.js';
import { toEntitlements } from './map.js';

const department = { code: 'health', name: '卫健/计生' };

export default defineAdapter({
  department,
  parseConfig: (raw) => ({ baseUrl: requireUrl(raw, 'HEALTH_URL') }),
  create: (config, { dispatcher }) => ({
    department,
    contractVersion: CONTRACT_VERSION,
    maxConcurrency: 6,
    fetchers: {
      members: {
        batchLimit: 30,
        cacheTtlSeconds: 1800,
        batch: async (ids, ctx) => {
          const residents = await ctx.residents(ids);
          const slots: Array<DepartmentData | null | Error> = [];
          const asks: { hh: string; cyxh: string }[] = [];
          residents.forEach((r, i) => {
            if (r instanceof Error) slots[i] = new DependencyUnavailableError(department.code, 'the household number is unknown: the population registry is unavailable');
            else if (r === null) slots[i] = null;
            else if (!r.householdNo || !r.householdMemberNo) slots[i] = { entitlements: [], evidence: [] };
            else asks.push({ hh: r.householdNo, cyxh: r.householdMemberNo });
          });
          const found = asks.length ? await queryMembers(dispatcher, config.baseUrl, asks, ctx) : [];
          const byKey = recordsByKey(department.code, asks.map((a) => `${a.hh}/${a.cyxh}`), found, (m) => `${m.hh}/${m.cyxh}`);
          return residents.map((r, i) => {
            if (slots[i] !== undefined) return slots[i]!;
            const m = byKey.get(`${(r as { householdNo: string }).householdNo}/${(r as { householdMemberNo: string }).householdMemberNo}`);
            if (!m) return { entitlements: [], evidence: [] };
            try {
              const entitlements = toEntitlements(m);
              const oneChild = entitlements.some((e) => e.kind === 'ONE_CHILD_PARENT_REWARD');
              return { entitlements, evidence: oneChild ? [{ materialCode: 'ONE_CHILD_CERT', reference: `${m.hh}-${m.cyxh}-DSZN` }] : [] };
            } catch (err) {
              return err as Error;
            }
          });
        },
      },
    },
    capabilities: { entitlements: 'members', evidence: 'members' },
    cases: caseDesk(department.code, dispatcher, config.baseUrl),
    changes: async (cursor, ctx) => {
      const { ids, next } = await changes(dispatcher, config.baseUrl, Number(cursor ?? 0), ctx);
      return { idNumbers: ids, nextCursor: String(next) };
    },
    health: () => ({ status: 'UP' }),
  }),
});
