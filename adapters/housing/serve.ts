/**
 * Runs the housing adapter as its own process and registers it with a hub:
 *   HOUSING_URL=… HUB_URL=… DEPARTMENT_CREDENTIAL=owhdc_… PORT=7301 node dist/adapters/housing/serve.js
 */
import { Agent } from 'undici';
import { serveAdapter } from '../sdk/serve.js';
import housing from './index.js';

const env = process.env;
if (!env.HUB_URL || !env.DEPARTMENT_CREDENTIAL) {
  process.stderr.write('HUB_URL and DEPARTMENT_CREDENTIAL are required (see docs/ADAPTERS.md)\n');
  process.exit(2);
}
const dispatcher = new Agent();
const adapter = housing.create(housing.parseConfig(env), { dispatcher });
const served = await serveAdapter(adapter, { hubUrl: env.HUB_URL, credential: env.DEPARTMENT_CREDENTIAL, port: Number(env.PORT ?? 0), publicUrl: env.PUBLIC_URL });
process.stdout.write(`housing adapter on ${served.url}, registered as ${served.adapterId}\n`);
const stop = async () => {
  await served.close();
  await dispatcher.close();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
