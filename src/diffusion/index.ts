// Public surface of the diffusion core: seeded torch-compatible noise, samplers, guidance, and the
// generation loop over a runtime-neutral Backend. Pure TypeScript (ES2022 only): no DOM, Node or ORT.

export { torchRandn } from './randn';
export { createScheduler, SCHEDULER_NAMES, type Scheduler, type SchedulerConfig, type SchedulerName } from './scheduler';
export { guidance } from './guidance';
export { applyLinearStep, type LinearStepPlan, type LinearOutput, type LinearTerm, type Operand } from './linearStep';
export { generate } from './pipeline';
export { checkPictureRequest, editPicture, invertImage, pictureRequest, type InversionMethod, type InvertRequest, type InvertResult, type PictureInput } from './inversion';
export { imageToSample } from './imageInput';
export { psnr } from './psnr';
export { prepareRun, LIMITS as PIPELINE_LIMITS } from './pipelineInputs';
export { toRgba } from './pipelineTensors';
export {
  identityP2P,
  type Backend,
  type BackendCapabilities,
  type DecodedImages,
  type P2PInputs,
  type ResidentBlend,
  type ResidentLoop,
  type ResidentUnetCall,
  type UnetInputs,
  type UnetOutputs,
} from './backend';
export {
  AbortError,
  PipelineError,
  type EditOptions,
  type GenerateOptions,
  type GenerateRequest,
  type GenerateResult,
  type PipelineErrorCode,
  type PipelineModel,
  type PipelineTokenizer,
  type ProgressEvent,
  type StageTimings,
} from './pipelineTypes';
