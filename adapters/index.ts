/** The adapters bundled with the hub, in the order their departments are listed. */
import type { AdapterDefinition } from './contract.js';
import population from './population/index.js';
import socialInsurance from './social-insurance/index.js';
import medicalInsurance from './medical-insurance/index.js';
import civilAffairs from './civil-affairs/index.js';
import health from './health/index.js';
import disabledPersons from './disabled-persons/index.js';

export const BUNDLED_ADAPTERS: readonly AdapterDefinition<any>[] = [population, socialInsurance, medicalInsurance, civilAffairs, health, disabledPersons];
