// The external systems of the reliability suite, each a sandbox started in this process.
export { googleSystem } from './googleSystem.ts';
export { graphSystem } from './graphSystem.ts';
export { klentySystem } from './klentySystem.ts';
export { mondaySystem } from './mondaySystem.ts';
export { recordSourceSystem } from './recordSourceSystem.ts';
export { salesforceSystem } from './salesforceSystem.ts';
export type { ChaosSystem, DeletionFeed, SandboxCounters } from './system.ts';
export { xentralSystem } from './xentralSystem.ts';
