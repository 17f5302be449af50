// The diffusion Backend over three ORT sessions (text encoder, UNet — instrumented or stock —, VAE
// decoder) and the VAE encoder when the model has one, shared by the onnxruntime-node and onnxruntime-web builds: names and dtypes come from the graphs.

import type { InferenceSession, Tensor, TensorConstructor } from 'onnxruntime-common';
import type { Backend, BackendCapabilities, DecodedImages, ResidentLoop, UnetInputs, UnetOutputs } from '../diffusion';
import { fixedDim, makeTensor, pick, readFloat, specs, type ValueSpec } from './ortTensors';

export interface OrtSessions {
  text: InferenceSession;
  unet: InferenceSession;
  vae: InferenceSession;
  /** The VAE encoder, when the model has one (a picture to edit). */
  vaeEncoder?: InferenceSession;
}

export interface OrtBackendOptions {
  /** The Tensor class of the ORT build the sessions belong to. */
  Tensor: TensorConstructor;
  /** E.g. "onnxruntime-web webgpu". */
  runtime: string;
  /** Default latent `[h, w]` when the UNet's sample has symbolic dims (unet/config.json `sample_size`). */
  latentSize?: [number, number];
  /** Per-token heatmap tiles on the device (WebGPU); see `Backend.heatmapTiles`. */
  heatmapTiles?: Backend['heatmapTiles'];
  /** A loop keeping the latents on the device (WebGPU), given the UNet runner; null when it cannot. */
  residentLoop?: (unet: UnetRunner, latents: Float32Array, dims: [number, number, number, number]) => Promise<ResidentLoop | null>;
}

/** UNet feeds a caller already holds as tensors (e.g. GPU buffers bound once per change), by role. */
export type BoundUnetInputs = Partial<Record<'context' | 'map' | 'gain' | 'keep' | 'self', Tensor>>;

/** Runs the UNet with a caller-made `sample` tensor (e.g. a GPU buffer); the caller disposes the outputs. */
export interface UnetRunner {
  /** dtype of `sample` and of the noise output (the resident loop needs float32). */
  sampleType: Tensor.Type;
  noiseType: Tensor.Type;
  /** Name of the noise output (a resident loop needs the one its session keeps on the GPU). */
  noiseName: string;
  /** dtype of each input a caller may bind (`context`, and the `p2p_*` inputs when instrumented). */
  inputTypes: Partial<Record<keyof BoundUnetInputs, Tensor.Type>>;
  /** `bound` tensors replace the ones `inp` would make (their values must be `inp`'s). */
  run(sample: Tensor, inp: Omit<UnetInputs, 'sample'>, bound?: BoundUnetInputs): Promise<{ noise: Tensor; attn?: Tensor; all: Record<string, Tensor> }>;
}

const P2P = { map: 'p2p_map', gain: 'p2p_gain', keep: 'p2p_keep', self: 'p2p_self', attn: 'p2p_attn' } as const;

/** The timestep tensor's dims: a scalar, `[1]`, or one per batch row, as the graph declares. */
function timestepDims(spec: ValueSpec, batch: number): number[] {
  if (spec.shape.length === 0) return [];
  return fixedDim(spec.shape, 0) === 1 ? [1] : [batch];
}

/** Runs a session and frees its output tensors once read (they may hold wasm heap or GPU memory). */
async function runAndRead(session: InferenceSession, feeds: Record<string, Tensor>, fetches: string[], what: string): Promise<Record<string, { data: Float32Array; dims: readonly number[] }>> {
  const out = await session.run(feeds, fetches);
  const read: Record<string, { data: Float32Array; dims: readonly number[] }> = {};
  try {
    for (const name of fetches) read[name] = { data: await readFloat(out[name], `${what} ${name}`), dims: out[name].dims };
  } finally {
    for (const tensor of Object.values(out)) tensor.dispose();
  }
  return read;
}

/** Builds the Backend; on a graph it cannot drive it releases the sessions and throws. */
export async function backendOverSessions({ text, unet, vae, vaeEncoder }: OrtSessions, opts: OrtBackendOptions): Promise<Backend> {
  const release = () => Promise.all([text.release(), unet.release(), vae.release(), vaeEncoder?.release()]).then(() => undefined);
  const tensor = (type: Tensor.Type, values: ArrayLike<number>, dims: readonly number[]) => makeTensor(opts.Tensor, type, values, dims);
  const textIn = pick(specs(text.inputMetadata), ['input_ids'], 'text encoder input');
  const textOut = pick(specs(text.outputMetadata), ['last_hidden_state'], 'text encoder output');
  const unetIns = specs(unet.inputMetadata);
  const unetOuts = specs(unet.outputMetadata);
  const isP2P = (n: string) => n.startsWith('p2p_');
  const sampleIn = pick(unetIns, ['sample'], 'UNet sample input', isP2P);
  const timestepIn = pick(unetIns, ['timestep'], 'UNet timestep input', (n) => isP2P(n) || n === sampleIn.name);
  const contextIn = pick(unetIns, ['encoder_hidden_states'], 'UNet context input', (n) => isP2P(n) || n === sampleIn.name || n === timestepIn.name);
  const noiseOut = pick(unetOuts, ['out_sample'], 'UNet output', isP2P);
  const instrumented = [P2P.map, P2P.gain, P2P.keep, P2P.self].every((n) => unetIns.has(n));
  const attnOut = unetOuts.get(P2P.attn);
  const vaeIn = pick(specs(vae.inputMetadata), ['latent_sample'], 'VAE decoder input');
  const vaeOut = pick(specs(vae.outputMetadata), ['sample'], 'VAE decoder output');
  const encIn = vaeEncoder && pick(specs(vaeEncoder.inputMetadata), ['sample'], 'VAE encoder input');
  // diffusers' export names it latent_sample (a sample); optimum's latent_parameters (mean and log-variance).
  const encOut = vaeEncoder && pick(specs(vaeEncoder.outputMetadata), ['latent_sample', 'latent_parameters'], 'VAE encoder output');
  const problem =
    instrumented && !attnOut
      ? 'the instrumented UNet has p2p_* inputs but no p2p_attn output'
      : ![sampleIn, contextIn, vaeIn].every((v) => v.type === 'float32' || v.type === 'float16')
        ? `UNet sample / context or VAE input is ${sampleIn.type} / ${contextIn.type} / ${vaeIn.type}; float32 or float16 graphs are supported`
        : null;
  if (problem) {
    await release();
    throw new Error(problem);
  }

  const pixels = attnOut ? fixedDim(attnOut.shape, 1) : null;
  const h = fixedDim(sampleIn.shape, 2);
  const w = fixedDim(sampleIn.shape, 3);
  const capabilities: BackendCapabilities = {
    instrumented,
    mapResolution: pixels && Number.isInteger(Math.sqrt(pixels)) ? Math.sqrt(pixels) : null,
    latentChannels: fixedDim(sampleIn.shape, 1) ?? 4,
    latentSize: h && w ? [h, w] : (opts.latentSize ?? null),
    contextLength: fixedDim(textOut.shape, 1) ?? 77,
    hiddenSize: fixedDim(textOut.shape, 2),
    description: `${opts.runtime}${instrumented ? ', instrumented UNet' : ''}`,
  };

  const runner: UnetRunner = {
    sampleType: sampleIn.type,
    noiseType: noiseOut.type,
    noiseName: noiseOut.name,
    inputTypes: {
      context: contextIn.type,
      ...(instrumented ? { map: unetIns.get(P2P.map)!.type, gain: unetIns.get(P2P.gain)!.type, keep: unetIns.get(P2P.keep)!.type, self: unetIns.get(P2P.self)!.type } : {}),
    },
    async run(sample, inp, bound = {}) {
      const tDims = timestepDims(timestepIn, inp.sampleDims[0]);
      const tValues = new Array<number>(tDims.reduce((a, b) => a * b, 1)).fill(inp.timestep);
      const feeds: Record<string, Tensor> = {
        [sampleIn.name]: sample,
        [timestepIn.name]: tensor(timestepIn.type, tValues, tDims),
        [contextIn.name]: bound.context ?? tensor(contextIn.type, inp.context, inp.contextDims),
      };
      if (instrumented) {
        if (!inp.p2p) throw new Error('the instrumented UNet needs p2p inputs (identity parameters when not editing)');
        const { map, gain, keep, self, edits } = inp.p2p;
        const len = inp.contextDims[1];
        feeds[P2P.map] = bound.map ?? tensor(unetIns.get(P2P.map)!.type, map, [edits, len, len]);
        feeds[P2P.gain] = bound.gain ?? tensor(unetIns.get(P2P.gain)!.type, gain, [edits, len]);
        feeds[P2P.keep] = bound.keep ?? tensor(unetIns.get(P2P.keep)!.type, keep, [edits, len]);
        feeds[P2P.self] = bound.self ?? tensor(unetIns.get(P2P.self)!.type, [self ? 1 : 0], [1]);
      }
      const fetches = instrumented && attnOut ? [noiseOut.name, attnOut.name] : [noiseOut.name];
      const all = await unet.run(feeds, fetches);
      return { noise: all[noiseOut.name], attn: attnOut && instrumented ? all[attnOut.name] : undefined, all };
    },
  };

  return {
    capabilities,
    ...(opts.residentLoop ? { residentLoop: (latents: Float32Array, dims: [number, number, number, number]) => opts.residentLoop!(runner, latents, dims) } : {}),
    ...(opts.heatmapTiles ? { heatmapTiles: opts.heatmapTiles } : {}),

    async encodeText(ids: Int32Array, batch: number): Promise<Float32Array> {
      const length = ids.length / batch;
      // An export with a fixed batch of 1 runs row by row.
      const rows = fixedDim(textIn.shape, 0) === 1 ? batch : 1;
      const parts: Float32Array[] = [];
      for (let r = 0; r < rows; r++) {
        const slice = ids.slice((r * ids.length) / rows, ((r + 1) * ids.length) / rows);
        const read = await runAndRead(text, { [textIn.name]: tensor(textIn.type, slice, [batch / rows, length]) }, [textOut.name], 'text encoder');
        parts.push(read[textOut.name].data);
      }
      if (rows === 1) return parts[0];
      const joined = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
      parts.forEach((p, i) => joined.set(p, i * p.length));
      return joined;
    },

    async unet(inp: UnetInputs): Promise<UnetOutputs> {
      const out = await runner.run(tensor(sampleIn.type, inp.sample, inp.sampleDims), inp);
      try {
        return { noise: await readFloat(out.noise, 'UNet noise'), attn: out.attn && (await readFloat(out.attn, 'UNet p2p_attn')) };
      } finally {
        for (const t of Object.values(out.all)) t.dispose();
      }
    },

    async decode(latents: Float32Array, dims: [number, number, number, number]): Promise<DecodedImages> {
      const read = (await runAndRead(vae, { [vaeIn.name]: tensor(vaeIn.type, latents, dims) }, [vaeOut.name], 'VAE decoder'))[vaeOut.name];
      const d = read.dims;
      if (d.length !== 4) throw new Error(`VAE decoder returned dims [${d.join(', ')}], expected [B, 3, H, W]`);
      return { data: read.data, dims: [d[0], d[1], d[2], d[3]] };
    },

    ...(vaeEncoder && encIn && encOut
      ? {
          async encode(images: Float32Array, dims: [number, number, number, number]): Promise<DecodedImages> {
            const read = (await runAndRead(vaeEncoder, { [encIn.name]: tensor(encIn.type, images, dims) }, [encOut.name], 'VAE encoder'))[encOut.name];
            const d = read.dims;
            if (d.length !== 4) throw new Error(`VAE encoder returned dims [${d.join(', ')}], expected [B, C, h, w]`);
            const C = capabilities.latentChannels;
            if (d[1] === 2 * C) {
              // Mean and log-variance (optimum's latent_parameters): the mean is the deterministic latent.
              const plane = d[2] * d[3];
              const mean = new Float32Array(d[0] * C * plane);
              for (let b = 0; b < d[0]; b++) mean.set(read.data.subarray(b * 2 * C * plane, b * 2 * C * plane + C * plane), b * C * plane);
              return { data: mean, dims: [d[0], C, d[2], d[3]] };
            }
            return { data: read.data, dims: [d[0], d[1], d[2], d[3]] };
          },
        }
      : {}),

    dispose: release,
  };
}
