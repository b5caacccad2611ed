import { startSimulators } from '/work/main/dist/mocks/index.js';
import { startHub } from '/work/main/dist/src/server.js';
import { loadConfig } from '/work/main/dist/src/config.js';
import { createLogger } from '/work/main/dist/src/log.js';
import autocannon from 'autocannon';
import { Session } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';
const sims = await startSimulators({ faults: false });
const hub = await startHub(loadConfig({ PORT: '4555', POPULATION_URL: sims.urls.population, SOCIAL_INSURANCE_URL: sims.urls['social-insurance'], MEDICAL_INSURANCE_URL: sims.urls['medical-insurance'], CIVIL_AFFAIRS_URL: sims.urls['civil-affairs'], HEALTH_URL: sims.urls.health, DISABLED_PERSONS_URL: sims.urls['disabled-persons'] }), { log: createLogger('warn') });
const id = sims.world.people.find((p) => p.socialInsurance && p.disability && p.civil.benefits.length > 0).idNumber;
const FULL = `query($id: ID!) { resident(idNumber: $id) { idNumber name gender birthDate age phone address community householdNo
  entitlements { id kind name status monthlyAmount startDate endDate department { code name } }
  socialInsurance { personNo status insuranceTypes firstPaidOn monthsPaid }
  medicalInsurance { scheme status enrolledOn } designatedHospitals { code name level address }
  disabilityCertificate { certificateNo category grade validUntil }
  sources { department { code } state fetchedAt } } }`;
const s = new Session(); s.connect(); await s.post('Profiler.enable'); await s.post('Profiler.start');
const r = await autocannon({ url: 'http://127.0.0.1:4555/graphql', method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: FULL, variables: { id } }), connections: 20, duration: 5 });
const { profile } = await s.post('Profiler.stop');
writeFileSync('/tmp/warm.cpuprofile', JSON.stringify(profile));
console.log(r.requests.average);
await hub.stop(); await sims.close();
