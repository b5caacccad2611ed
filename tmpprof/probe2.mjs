import { startSimulators, DEFAULT_LATENCY, DEPARTMENT_CODES } from '/work/main/dist/mocks/index.js';
import { startHub } from '/work/main/dist/src/server.js';
import { loadConfig } from '/work/main/dist/src/config.js';
import { createLogger } from '/work/main/dist/src/log.js';
const faults = Object.fromEntries(DEPARTMENT_CODES.map((c) => [c, { ...DEFAULT_LATENCY[c], failRate: 0, slowRate: 0 }]));
const sims = await startSimulators({ faults, medical: { ratePerSecond: 1e6, burst: 1e6 } });
const hub = await startHub(loadConfig({ PORT: '0', CACHE_ENABLED: 'false', BATCHING_ENABLED: 'false', POPULATION_URL: sims.urls.population, SOCIAL_INSURANCE_URL: sims.urls['social-insurance'], MEDICAL_INSURANCE_URL: sims.urls['medical-insurance'], CIVIL_AFFAIRS_URL: sims.urls['civil-affairs'], HEALTH_URL: sims.urls.health, DISABLED_PERSONS_URL: sims.urls['disabled-persons'] }), { log: createLogger('warn') });
const ids = sims.world.people.slice(0, 100).map(p => p.idNumber);
const q = `query($ids: [ID!]!) { residents(idNumbers: $ids) { idNumber name age entitlements { kind status monthlyAmount department { code } } sources { department { code } state } } }`;
const run = async (query, variables) => { const t = Date.now(); const r = await fetch(hub.graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) }); await r.json(); return Date.now() - t; };
await run(q, { ids });
for (const s of Object.values(sims.sims)) s.resetCounters();
console.log('list ms', await run(q, { ids }));
for (const [c, s] of Object.entries(sims.sims)) console.log(c, JSON.stringify(s.snapshot().calls));



await hub.stop(); await sims.close();
