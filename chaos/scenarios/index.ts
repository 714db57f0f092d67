// The scenarios of `npm run chaos`, in the order they run. The secret scan runs last: it searches
// everything the others said.
import type { ChaosScenario } from '../scenario.ts';
import { faultsInside } from './faultsInside.ts';

export const scenarios: ChaosScenario[] = [faultsInside];
