/** 残联 — disability certificates and 两项补贴, batches of 50; the department is flaky. */
import { caseDesk } from '../case-desk.js';
import { CONTRACT_VERSION, defineAdapter, requireUrl } from '../contract.js';
import { slots, recordsByKey } from '../http.js';
import { changes, queryCertificates } from './client.js';
import { idOfCertificate, NO_CERTIFICATE, toDepartmentData } from './map.js';

const department = { code: 'disabled-persons', name: '残联' };

export default defineAdapter({
  department,
  parseConfig: (raw) => ({ baseUrl: requireUrl(raw, 'DISABLED_PERSONS_URL') }),
  create: (config, { dispatcher }) => ({
    department,
    contractVersion: CONTRACT_VERSION,
    maxConcurrency: 4,
    fetchers: {
      certificates: {
        batchLimit: 50,
        cacheTtlSeconds: 3600,
        batch: async (ids, ctx) => {
          const found = recordsByKey(department.code, ids, await queryCertificates(dispatcher, config.baseUrl, ids, ctx), (c) => idOfCertificate(String(c.certNo)));
          return slots(ids, found, toDepartmentData, NO_CERTIFICATE);
        },
      },
    },
    capabilities: { entitlements: 'certificates', disabilityCertificate: 'certificates', evidence: 'certificates' },
    cases: caseDesk(department.code, dispatcher, config.baseUrl),
    changes: async (cursor, ctx) => {
      const { certNos, next } = await changes(dispatcher, config.baseUrl, Number(cursor ?? 0), ctx);
      return { idNumbers: certNos.map(idOfCertificate), nextCursor: String(next) };
    },
    health: () => ({ status: 'UP' }),
  }),
});
