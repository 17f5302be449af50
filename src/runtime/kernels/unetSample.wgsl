// The UNet's input and output around a resident step, without leaving the GPU:
// - `sample_f32` / `sample_f16`: the UNet sample [x/d; x/d] (both halves of classifier-free guidance; x/d alone for
//   low-memory mode's half calls) from the
//   current latent in the scheduler state, `d` the scheduler's input divisor (Euler's √(σ² + 1), else 1); as float32,
//   or as float16 pairs packed in u32 words (pack2x16float needs no shader-f16);
// - `unpack_f16`: a float16 UNet output (packed pairs) widened to float32 for the scheduler step.
// CPU twins: `divideInput` + `concatBatch`; `toHalf` / `fromHalf` (src/runtime/float16.ts).
override WORKGROUP_SIZE: u32 = 256u;

struct Params {
  count: u32,    // latent values (one half of the sample)
  offset: u32,   // index of the latent in `state`
  divisor: f32,
  copies: u32,   // 2: [x/d; x/d] (one call for both guidance halves); 1: x/d (low-memory mode's half calls)
}

@group(0) @binding(0) var<storage, read> state: array<f32>;
@group(0) @binding(1) var<storage, read_write> sample32: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

@compute @workgroup_size(WORKGROUP_SIZE)
fn sample_f32(@builtin(global_invocation_id) id: vec3<u32>) {
  let i = id.x;
  if (i >= params.count) {
    return;
  }
  let v = state[params.offset + i] / params.divisor;
  sample32[i] = v;
  if (params.copies > 1u) {
    sample32[params.count + i] = v;
  }
}

@group(0) @binding(1) var<storage, read_write> sample16: array<u32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn sample_f16(@builtin(global_invocation_id) id: vec3<u32>) {
  let i = id.x;  // a pair of values
  let pairs = params.count / 2u;
  if (i >= pairs) {
    return;
  }
  let a = state[params.offset + 2u * i] / params.divisor;
  let b = state[params.offset + 2u * i + 1u] / params.divisor;
  let packed = pack2x16float(vec2<f32>(a, b));
  sample16[i] = packed;
  if (params.copies > 1u) {
    sample16[pairs + i] = packed;
  }
}

@group(0) @binding(0) var<storage, read> half_in: array<u32>;
@group(0) @binding(1) var<storage, read_write> float_out: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn unpack_f16(@builtin(global_invocation_id) id: vec3<u32>) {
  let i = id.x;  // a pair of values; `count` pairs
  if (i >= params.count) {
    return;
  }
  let v = unpack2x16float(half_in[i]);
  float_out[2u * i] = v.x;
  float_out[2u * i + 1u] = v.y;
}
