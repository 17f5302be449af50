/**
 * Public entry of the Prompt-to-Prompt core (Hertz et al. 2022): token maps, schedules, controllers
 * as per-call UNet parameters, the CPU reference of the in-graph edit, and LocalBlend.
 */
export { MAX_LEN, type WordTokenizer } from './tokens';
export { wordIndices } from './wordIndices';
export { replacementMapper } from './replacementMapper';
export { refinementMapper } from './refinementMapper';
export { timeWordAlphas, type CrossReplaceSteps } from './timeWordAlphas';
export type { StepFraction } from './schedule';
export { equalizer } from './equalizer';
export { planEdit, type EditKind, type EditPlan, type EditParams, type EditSpec } from './editPlan';
export { applyEdit, SELF_MAX_QUERY } from './applyEdit';
export { localBlend, localBlendAlphas } from './localBlend';
export { tokenHeatmaps } from './heatmaps';
