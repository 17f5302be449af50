// The diffusion Backend over onnxruntime-node sessions (text encoder, UNet, VAE decoder): the only
// place in the pipeline's Node path importing onnxruntime. Input names and dtypes come from the graphs.

import * as ort from 'onnxruntime-node';
import type { Backend, BackendCapabilities, DecodedImages, UnetInputs, UnetOutputs } from '../diffusion';
import { fixedDim, makeTensor, pick, readFloat, specs, type ValueSpec } from './ortNodeTensors';

/** A model file path, or its bytes. */
export type ModelSource = string | Uint8Array;

export interface OrtNodeBackendOptions {
  textEncoder: ModelSource;
  unet: ModelSource;
  vaeDecoder: ModelSource;
  /** Default latent `[h, w]` when the UNet's sample has symbolic dims (from unet/config.json `sample_size`). */
  latentSize?: [number, number];
  /** ORT threads per session (default: ORT's choice). */
  threads?: number;
}

const P2P = { map: 'p2p_map', gain: 'p2p_gain', keep: 'p2p_keep', self: 'p2p_self', attn: 'p2p_attn' } as const;

async function open(source: ModelSource, threads: number | undefined, what: string): Promise<ort.InferenceSession> {
  const options: ort.InferenceSession.SessionOptions = { executionProviders: ['cpu'], graphOptimizationLevel: 'all' };
  if (threads) options.intraOpNumThreads = threads;
  try {
    return typeof source === 'string'
      ? await ort.InferenceSession.create(source, options)
      : await ort.InferenceSession.create(source, options);
  } catch (err) {
    throw new Error(`cannot load the ${what} (${typeof source === 'string' ? source : `${source.byteLength} bytes`}): ${(err as Error).message}`);
  }
}

/** The timestep tensor's dims: a scalar, `[1]`, or one per batch row, as the graph declares. */
function timestepDims(spec: ValueSpec, batch: number): number[] {
  if (spec.shape.length === 0) return [];
  return fixedDim(spec.shape, 0) === 1 ? [1] : [batch];
}

export async function createOrtNodeBackend(opts: OrtNodeBackendOptions): Promise<Backend> {
  const [text, unet, vae] = await Promise.all([
    open(opts.textEncoder, opts.threads, 'text encoder'),
    open(opts.unet, opts.threads, 'UNet'),
    open(opts.vaeDecoder, opts.threads, 'VAE decoder'),
  ]);

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
  if (instrumented && !attnOut) throw new Error('the instrumented UNet has p2p_* inputs but no p2p_attn output');
  const vaeIn = pick(specs(vae.inputMetadata), ['latent_sample'], 'VAE decoder input');
  const vaeOut = pick(specs(vae.outputMetadata), ['sample'], 'VAE decoder output');
  if (sampleIn.type !== 'float32') throw new Error(`UNet sample is ${sampleIn.type}; the Node backend runs float32 models only`);

  const pixels = attnOut ? fixedDim(attnOut.shape, 1) : null;
  const mapResolution = pixels && Number.isInteger(Math.sqrt(pixels)) ? Math.sqrt(pixels) : null;
  const h = fixedDim(sampleIn.shape, 2);
  const w = fixedDim(sampleIn.shape, 3);
  const capabilities: BackendCapabilities = {
    instrumented,
    mapResolution,
    latentChannels: fixedDim(sampleIn.shape, 1) ?? 4,
    latentSize: h && w ? [h, w] : (opts.latentSize ?? null),
    contextLength: fixedDim(textOut.shape, 1) ?? 77,
    hiddenSize: fixedDim(textOut.shape, 2),
    description: `onnxruntime-node cpu${instrumented ? ', instrumented UNet' : ''}`,
  };

  return {
    capabilities,

    async encodeText(ids: Int32Array, batch: number): Promise<Float32Array> {
      const length = ids.length / batch;
      // An export with a fixed batch of 1 runs row by row.
      const rows = fixedDim(textIn.shape, 0) === 1 ? batch : 1;
      const parts: Float32Array[] = [];
      for (let r = 0; r < rows; r++) {
        const slice = ids.subarray((r * ids.length) / rows, ((r + 1) * ids.length) / rows);
        const out = await text.run({ [textIn.name]: makeTensor(textIn.type, slice, [batch / rows, length]) }, [textOut.name]);
        parts.push(readFloat(out[textOut.name], 'text encoder output'));
      }
      return rows === 1 ? parts[0] : Float32Array.from(parts.flatMap((p) => Array.from(p)));
    },

    async unet(inp: UnetInputs): Promise<UnetOutputs> {
      const tDims = timestepDims(timestepIn, inp.sampleDims[0]);
      const tValues = new Array<number>(tDims.reduce((a, b) => a * b, 1)).fill(inp.timestep);
      const feeds: Record<string, ort.Tensor> = {
        [sampleIn.name]: makeTensor('float32', inp.sample, inp.sampleDims),
        [timestepIn.name]: makeTensor(timestepIn.type, tValues, tDims),
        [contextIn.name]: makeTensor('float32', inp.context, inp.contextDims),
      };
      if (instrumented) {
        if (!inp.p2p) throw new Error('the instrumented UNet needs p2p inputs (identity parameters when not editing)');
        const { map, gain, keep, self, edits } = inp.p2p;
        const len = inp.contextDims[1];
        feeds[P2P.map] = makeTensor(unetIns.get(P2P.map)!.type, map, [edits, len, len]);
        feeds[P2P.gain] = makeTensor(unetIns.get(P2P.gain)!.type, gain, [edits, len]);
        feeds[P2P.keep] = makeTensor(unetIns.get(P2P.keep)!.type, keep, [edits, len]);
        feeds[P2P.self] = makeTensor(unetIns.get(P2P.self)!.type, [self ? 1 : 0], [1]);
      }
      const fetches = instrumented && attnOut ? [noiseOut.name, attnOut.name] : [noiseOut.name];
      const out = await unet.run(feeds, fetches);
      return {
        noise: readFloat(out[noiseOut.name], 'UNet output'),
        attn: attnOut && instrumented ? readFloat(out[attnOut.name], 'p2p_attn') : undefined,
      };
    },

    async decode(latents: Float32Array, dims: [number, number, number, number]): Promise<DecodedImages> {
      const out = await vae.run({ [vaeIn.name]: makeTensor('float32', latents, dims) }, [vaeOut.name]);
      const tensor = out[vaeOut.name];
      const d = tensor.dims;
      if (d.length !== 4) throw new Error(`VAE decoder returned dims [${d.join(', ')}], expected [B, 3, H, W]`);
      return { data: readFloat(tensor, 'VAE decoder output'), dims: [d[0], d[1], d[2], d[3]] };
    },

    async dispose(): Promise<void> {
      await Promise.all([text.release(), unet.release(), vae.release()]);
    },
  };
}
