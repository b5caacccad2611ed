/**
 * The six simulated department systems, built over one synthetic world, started together (for
 * `npm start` and the tests) or one at a time (`node dist/mocks/serve.js <code>`).
 */
import { buildWorld, type World, type WorldOptions } from './data/world.js';
import type { FaultOptions, Simulator } from './sim/simulator.js';
import { createPopulationSimulator } from './population/index.js';
import { createSocialInsuranceSimulator, type SocialInsuranceSettings } from './social-insurance/index.js';
import { createMedicalInsuranceSimulator, type MedicalSettings } from './medical-insurance/index.js';
import { createCivilAffairsSimulator } from './civil-affairs/index.js';
import { createHealthSimulator } from './health/index.js';
import { createDisabledPersonsSimulator, DISABLED_DEFAULT_FAULTS } from './disabled-persons/index.js';

export const DEPARTMENT_CODES = ['population', 'social-insurance', 'medical-insurance', 'civil-affairs', 'health', 'disabled-persons'] as const;
export type DepartmentCode = (typeof DEPARTMENT_CODES)[number];

/** Default latencies: what these systems answer in on a quiet day (the bench's "slowest department"). */
export const DEFAULT_LATENCY: Record<DepartmentCode, Partial<FaultOptions>> = {
  population: { latencyMs: 15, jitterMs: 10 },
  'social-insurance': { latencyMs: 40, jitterMs: 20 },
  'medical-insurance': { latencyMs: 25, jitterMs: 10 },
  'civil-affairs': { latencyMs: 60, jitterMs: 20 },
  health: { latencyMs: 30, jitterMs: 10 },
  'disabled-persons': { latencyMs: 35, jitterMs: 15, ...DISABLED_DEFAULT_FAULTS },
};

/** The environment variable each bundled adapter reads its department's URL from. */
export const URL_VARIABLES: Record<DepartmentCode, string> = {
  population: 'POPULATION_URL',
  'social-insurance': 'SOCIAL_INSURANCE_URL',
  'medical-insurance': 'MEDICAL_INSURANCE_URL',
  'civil-affairs': 'CIVIL_AFFAIRS_URL',
  health: 'HEALTH_URL',
  'disabled-persons': 'DISABLED_PERSONS_URL',
};

/** The adapters' URL variables pointing at these simulators. */
export function departmentUrlEnv(urls: Record<string, string>): Record<string, string> {
  return Object.fromEntries(DEPARTMENT_CODES.map((c) => [URL_VARIABLES[c], urls[c]!]));
}

export interface SimulatorsOptions {
  world?: Partial<WorldOptions> | World;
  /** Per department faults and latency; `false` = none at all (tests usually start quiet). */
  faults?: Partial<Record<DepartmentCode, Partial<FaultOptions>>> | false;
  socialInsurance?: Partial<SocialInsuranceSettings>;
  medical?: Partial<MedicalSettings>;
  /** Ports to listen on; 0 or missing = any free port. */
  ports?: Partial<Record<DepartmentCode, number>>;
  host?: string;
}

export interface RunningSimulators {
  world: World;
  sims: Record<DepartmentCode, Simulator>;
  urls: Record<DepartmentCode, string>;
  close(): Promise<void>;
}

export function createSimulators(options: SimulatorsOptions = {}): { world: World; sims: Record<DepartmentCode, Simulator> } {
  const world = options.world && 'people' in options.world ? options.world : buildWorld(options.world ?? {});
  const f = (code: DepartmentCode): Partial<FaultOptions> => (options.faults === false ? {} : { ...DEFAULT_LATENCY[code], ...(options.faults?.[code] ?? {}) });
  const sims: Record<DepartmentCode, Simulator> = {
    population: createPopulationSimulator(world, f('population')),
    'social-insurance': createSocialInsuranceSimulator(world, f('social-insurance'), options.socialInsurance),
    'medical-insurance': createMedicalInsuranceSimulator(world, f('medical-insurance'), options.medical),
    'civil-affairs': createCivilAffairsSimulator(world, f('civil-affairs')),
    health: createHealthSimulator(world, f('health')),
    'disabled-persons': createDisabledPersonsSimulator(world, f('disabled-persons')),
  };
  return { world, sims };
}

export async function startSimulators(options: SimulatorsOptions = {}): Promise<RunningSimulators> {
  const { world, sims } = createSimulators(options);
  const urls = {} as Record<DepartmentCode, string>;
  try {
    for (const code of DEPARTMENT_CODES) urls[code] = await sims[code].listen(options.ports?.[code] ?? 0, options.host);
  } catch (err) {
    await Promise.all(Object.values(sims).map((s) => s.close()));
    throw err;
  }
  return { world, sims, urls, close: async () => void (await Promise.all(Object.values(sims).map((s) => s.close()))) };
}
