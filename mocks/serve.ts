/**
 * One simulated department as its own HTTP server:
 *   node dist/mocks/serve.js <department> [port]
 * SIM_SEED and SIM_RESIDENTS pick the synthetic world (the same in every department for the same values).
 */
import { DEPARTMENT_CODES, createSimulators, type DepartmentCode } from './index.js';

const [code, port] = process.argv.slice(2);
if (!code || !(DEPARTMENT_CODES as readonly string[]).includes(code)) {
  process.stderr.write(`usage: node dist/mocks/serve.js <${DEPARTMENT_CODES.join('|')}> [port]\n`);
  process.exit(2);
}
const { sims } = createSimulators({ world: { seed: Number(process.env.SIM_SEED ?? 20261126), count: Number(process.env.SIM_RESIDENTS ?? 10_000) } });
const sim = sims[code as DepartmentCode];
const url = await sim.listen(Number(port ?? 0), process.env.HOST ?? '127.0.0.1');
process.stdout.write(`${code} simulator on ${url}\n`);
process.on('SIGINT', () => void sim.close().then(() => process.exit(0)));
process.on('SIGTERM', () => void sim.close().then(() => process.exit(0)));
