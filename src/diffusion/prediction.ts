// What the denoiser predicts (diffusers' `prediction_type`): noise ε (Ho et al. 2020), velocity
// v = √ᾱ·ε − √(1−ᾱ)·x₀ (Salimans & Ho 2022), or the clean sample x₀.

import type { ConfigReader } from './config';

export type PredictionType = 'epsilon' | 'v_prediction' | 'sample';

export function readPredictionType(reader: ConfigReader, supported: readonly PredictionType[]): PredictionType {
  return reader.choice('prediction_type', supported, 'epsilon');
}
