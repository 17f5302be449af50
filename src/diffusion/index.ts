// Public surface of the diffusion core: seeded torch-compatible noise, samplers, guidance.
// Pure TypeScript (ES2022 only): no DOM, Node or runtime imports.

export { torchRandn } from './randn';
export { createScheduler, SCHEDULER_NAMES, type Scheduler, type SchedulerConfig, type SchedulerName } from './scheduler';
export { guidance } from './guidance';
