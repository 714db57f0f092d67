// The scenarios of `npm run chaos`, in the order they run. The secret scan runs last: it searches
// everything the others said.
import type { ChaosScenario } from '../scenario.ts';
import { attack } from './attack.ts';
import { faultsInside } from './faultsInside.ts';
import { faultsOutside } from './faultsOutside.ts';
import { scaleOut } from './scaleOut.ts';
import { secrets } from './secrets.ts';

export const scenarios: ChaosScenario[] = [faultsOutside, faultsInside, scaleOut, attack, secrets];
