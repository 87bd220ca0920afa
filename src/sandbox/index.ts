// The local sandbox: a server that speaks the Flow Runs API protocol, with
// simulated apps and demo flows. Runs in-process (tests, the "Start Local
// Sandbox" command) or as `node dist/sandbox.js`.
export { SANDBOX_KEYS, defaultKeys } from './keys';
export { startSandbox } from './server';
export { parseKeys } from './auth';
export { DEFAULT_FORBIDDEN_DETAIL, parseFaultPlan } from './faults';
export { DEMO_FLOW_IDS } from './demoFlows';
export type { FaultPlan, Sandbox, SandboxKey, SandboxOptions, SandboxProfile, SandboxStats } from './types';
