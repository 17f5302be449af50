/**
 * What the stage shows for a prompt at the scrubber's point: the final image (or the live preview while the
 * run goes on), or the recorded preview and attention of that moment once the scrubber is moved back.
 */
import { useResults, type AttentionMaps, type Phase, type RgbaImage, type RunResults } from '../../state/results';
import { frameAt } from '../../state/timeline';

export interface Shown {
  image?: RgbaImage;
  /** The image is a latent preview (not the decoded final). */
  preview: boolean;
}

export function shownImage(res: RunResults, phase: Phase, prompt: number): Shown {
  if (res.scrub === undefined || phase !== 'main') {
    const final = res.images[phase][prompt];
    return final ? { image: final, preview: false } : { image: res.previews[phase][prompt], preview: true };
  }
  return { image: frameAt(res.previewFrames[prompt] ?? [], res.scrub), preview: true };
}

export function shownAttention(res: RunResults, prompt: number): AttentionMaps | undefined {
  return res.scrub === undefined ? res.attention[prompt] : frameAt(res.attentionFrames[prompt] ?? [], res.scrub);
}

export function useShownImage(phase: Phase, prompt: number): Shown {
  return shownImage(useResults(), phase, prompt);
}

export function useShownAttention(prompt: number): AttentionMaps | undefined {
  return shownAttention(useResults(), prompt);
}
