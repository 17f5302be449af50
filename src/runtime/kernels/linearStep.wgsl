// One output of a scheduler update written as a linear plan (src/diffusion/linearStep.ts), with
// classifier-free guidance fused in: state[target] = Σ_k coeff_k · operand_k (clamped to ±clamp when
// clamp > 0: DDIM's clip_sample), where an operand is a
// kept slot, the current latent, or the guided model output ε = u + g·(c − u) read from the UNet's
// `[uncond; cond]` output. CPU twin: `guidance` then `applyLinearStep`.
override WORKGROUP_SIZE: u32 = 256u;

const EPS: u32 = 0xffffffffu;

struct Params {
  count: u32,     // values per buffer (the latent's size)
  terms: u32,     // number of terms (≤ 8)
  dest: u32,      // region of `state` written (`target` is a reserved word)
  scale: f32,     // guidance scale g
  clamp: f32,     // > 0: clamp the result to [−clamp, clamp]
  operand: array<vec4<u32>, 2>,  // region of `state` per term, or EPS
  coeff: array<vec4<f32>, 2>,
}

@group(0) @binding(0) var<storage, read_write> state: array<f32>;  // regions of `count` values
@group(0) @binding(1) var<storage, read> noise: array<f32>;         // [uncond; cond], 2·count
@group(0) @binding(2) var<uniform> params: Params;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
  let i = id.x;
  let n = params.count;
  if (i >= n) {
    return;
  }
  var sum = 0.0;
  for (var k = 0u; k < params.terms; k++) {
    let region = params.operand[k / 4u][k % 4u];
    var value: f32;
    if (region == EPS) {
      let u = noise[i];
      value = u + params.scale * (noise[i + n] - u);
    } else {
      value = state[region * n + i];
    }
    sum += params.coeff[k / 4u][k % 4u] * value;
  }
  if (params.clamp > 0.0) {
    sum = clamp(sum, -params.clamp, params.clamp);
  }
  state[params.dest * n + i] = sum;
}
