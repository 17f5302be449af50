// ONNX export <-> PyTorch parity: runs the three exported graphs with onnxruntime-node on the
// inputs recorded in the PyTorch reference run and compares with the recorded outputs.
// Usage: node tools/toy-model/ort_parity.mjs [modelDir] [fixtureDir]   (exit 1 on mismatch)
import * as ort from 'onnxruntime-node';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const modelDir = process.argv[2] ?? 'public/models/toy-shapes';
const fixDir = process.argv[3] ?? 'tests/fixtures/toy-shapes-reference';
const TOL = 2e-4;

function tensor(o) {
  const buf = Buffer.from(o.b64, 'base64');
  const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
  const data = o.dtype === 'int64' ? new BigInt64Array(ab) : new Float32Array(ab);
  return new ort.Tensor(o.dtype, data, o.shape);
}
function maxAbsDiff(a, b) {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
const read = (f) => JSON.parse(readFileSync(join(fixDir, f), 'utf8'));
const session = (p) => ort.InferenceSession.create(join(modelDir, p, 'model.onnx'));

const run = read('run-seed0.json');
const call = read('unet-call.json');
const [text, unet, vae] = await Promise.all(['text_encoder', 'unet', 'vae_decoder'].map(session));
const results = {};

let out = await text.run({ input_ids: tensor(run.input_ids) });
results.text_encoder = maxAbsDiff(out.last_hidden_state.data, tensor(run.text_embeddings).data);

out = await unet.run({
  sample: tensor(call.sample), timestep: tensor(call.timestep),
  encoder_hidden_states: tensor(call.encoder_hidden_states),
});
results.unet = maxAbsDiff(out.out_sample.data, tensor(call.out_sample_stock).data);
// the same call with a per-sample timestep vector [batch]
const b = call.sample.shape[0];
const tb = new ort.Tensor('float32', new Float32Array(b).fill(tensor(call.timestep).data[0]), [b]);
out = await unet.run({ sample: tensor(call.sample), timestep: tb, encoder_hidden_states: tensor(call.encoder_hidden_states) });
results.unet_timestep_batch = maxAbsDiff(out.out_sample.data, tensor(call.out_sample_stock).data);

const lat = tensor(run.latents_plain);
const scaled = new ort.Tensor('float32', lat.data.map((v) => v / run.scalingFactor), lat.dims);
out = await vae.run({ latent_sample: scaled });
results.vae_decoder = maxAbsDiff(out.sample.data, tensor(run.images_plain).data);

console.log(JSON.stringify(results));
const bad = Object.entries(results).filter(([, v]) => !(v <= TOL));
if (bad.length) {
  console.error('mismatch over', TOL, bad);
  process.exit(1);
}
