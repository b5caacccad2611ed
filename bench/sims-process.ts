/**
 * The simulators in their own process for the bench, at their default latencies, without the
 * random faults (so percentiles measure the hub, not the dice), and with medical insurance's rate
 * limit raised (the bench measures the hub, not the department's quota).
 * Prints one JSON line {urls, people} when ready.
 */
import { DEFAULT_LATENCY, DEPARTMENT_CODES, startSimulators } from '../mocks/index.js';

const faults = Object.fromEntries(DEPARTMENT_CODES.map((c) => [c, { ...DEFAULT_LATENCY[c], failRate: 0, slowRate: 0 }]));
const sims = await startSimulators({ world: { count: Number(process.env.SIMS_RESIDENTS ?? 10_000) }, faults, medical: { ratePerSecond: 1_000_000, burst: 1_000_000 } });
// SIMS_PEOPLE: how many ID numbers to hand to the load generator (the bench: 400; the soak: all, so most reads miss the cache).
const people = sims.world.people.slice(0, Number(process.env.SIMS_PEOPLE ?? 400)).map((p) => p.idNumber);
const rich = sims.world.people.find((p) => p.socialInsurance && p.disability && p.civil.benefits.length > 0)?.idNumber ?? people[0];
process.stdout.write(JSON.stringify({ urls: sims.urls, people, rich, latency: Object.fromEntries(DEPARTMENT_CODES.map((c) => [c, DEFAULT_LATENCY[c].latencyMs ?? 0])) }) + '\n');
process.on('SIGTERM', () => void sims.close().then(() => process.exit(0)));
