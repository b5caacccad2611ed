/**
 * 医保 — enrolment, designated hospitals and chronic-disease benefits. The department has no batch
 * endpoint: one request per person (batchLimit 1; the hub bounds the concurrency) and a per-client
 * rate limit whose 429s carry Retry-After (the hub waits and repeats).
 */
import { caseDesk } from '../case-desk.js';
import { CONTRACT_VERSION, defineAdapter, requireUrl } from '../contract.js';
import { changes, getInsured } from './client.js';
import { NOT_INSURED, toDepartmentData } from './map.js';

const department = { code: 'medical-insurance', name: '医保' };

export default defineAdapter({
  department,
  parseConfig: (raw) => ({ baseUrl: requireUrl(raw, 'MEDICAL_INSURANCE_URL'), clientId: raw.MEDICAL_INSURANCE_CLIENT_ID || 'owh-hub' }),
  create: (config, { dispatcher }) => ({
    department,
    contractVersion: CONTRACT_VERSION,
    maxConcurrency: 8,
    fetchers: {
      insured: {
        batchLimit: 1,
        cacheTtlSeconds: 1800,
        batch: (ids, ctx) =>
          Promise.all(
            ids.map(async (id) => {
              try {
                const r = await getInsured(dispatcher, config.baseUrl, config.clientId, id, ctx);
                return r ? toDepartmentData(r) : NOT_INSURED;
              } catch (err) {
                return err as Error;
              }
            }),
          ),
      },
    },
    capabilities: { entitlements: 'insured', medicalInsurance: 'insured', designatedHospitals: 'insured', evidence: 'insured' },
    cases: caseDesk(department.code, dispatcher, config.baseUrl),
    changes: async (cursor, ctx) => {
      const { ids, next } = await changes(dispatcher, config.baseUrl, config.clientId, cursor ?? '0', ctx);
      return { idNumbers: ids, nextCursor: next };
    },
    health: () => ({ status: 'UP' }),
  }),
});
