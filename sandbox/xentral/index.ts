export { generateXentralData, type XentralData, type XentralRecord } from './data.ts';
export { startXentralSandbox, type XentralSandbox, type XentralSandboxOptions } from './server.ts';
