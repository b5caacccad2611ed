/**
 * 人社/社保 — accounts, pensions and unemployment benefits (batches of 100, behind a token handshake)
 * and monthly payment records (paged, by the department's own person number).
 */
import { caseDesk } from '../case-desk.js';
import { CONTRACT_VERSION, ConfigError, defineAdapter, requireUrl, type DepartmentData } from '../contract.js';
import { slots, type CallMeta, recordsByKey } from '../http.js';
import { allPayments, changes, queryPersons, TokenSession } from './client.js';
import { toAccount, toEntitlements, toPayment } from './map.js';

const department = { code: 'social-insurance', name: '人社/社保' };

export default defineAdapter({
  department,
  parseConfig: (raw) => {
    const appKey = raw.SOCIAL_INSURANCE_APP_KEY ?? 'owh-hub';
    const appSecret = raw.SOCIAL_INSURANCE_APP_SECRET ?? 'dev-only-secret';
    if (!appKey || !appSecret) throw new ConfigError('SOCIAL_INSURANCE_APP_KEY and SOCIAL_INSURANCE_APP_SECRET must not be empty');
    return { baseUrl: requireUrl(raw, 'SOCIAL_INSURANCE_URL'), appKey, appSecret };
  },
  create: (config, { dispatcher }) => {
    const session = new TokenSession(dispatcher, config.baseUrl, config.appKey, config.appSecret);
    const persons = async (ids: readonly string[], ctx: CallMeta) => recordsByKey(department.code, ids, await queryPersons(session, config.baseUrl, ids, ctx), (p) => p.aac002);
    return {
      department,
      contractVersion: CONTRACT_VERSION,
      maxConcurrency: 6,
      fetchers: {
        persons: {
          batchLimit: 100,
          cacheTtlSeconds: 900,
          batch: async (ids, ctx) => {
            const found = await persons(ids, ctx);
            return slots(
              ids,
              found,
              (p) => ({ socialInsurance: toAccount(p), entitlements: toEntitlements(p), evidence: [{ materialCode: 'SOCIAL_SECURITY_CARD', reference: p.aac001 }] }),
              { socialInsurance: null, entitlements: [], evidence: [] },
            );
          },
        },
        payments: {
          batchLimit: 100,
          cacheTtlSeconds: 3600,
          batch: async (ids, ctx) => {
            const found = await persons(ids, ctx);
            return Promise.all(
              ids.map(async (id): Promise<DepartmentData | Error> => {
                const p = found.get(id);
                if (!p) return { paymentRecords: [] };
                try {
                  return { paymentRecords: (await allPayments(session, config.baseUrl, p.aac001, ctx)).map(toPayment) };
                } catch (err) {
                  return err as Error;
                }
              }),
            );
          },
        },
      },
      capabilities: { entitlements: 'persons', socialInsurance: 'persons', paymentRecords: 'payments', evidence: 'persons' },
      cases: caseDesk(department.code, dispatcher, config.baseUrl),
      changes: async (cursor, ctx) => {
        const { ids, next } = await changes(session, config.baseUrl, Number(cursor ?? 0), ctx);
        return { idNumbers: ids, nextCursor: String(next) };
      },
      health: () => ({ status: 'UP' }),
    };
  },
});
