// LocalBlend (Prompt-to-Prompt §3.3) on the GPU. CPU twin: `localBlend` in src/p2p/localBlend.ts.
// Pass `masks` (one workgroup per prompt): word map = Σ_t maps·alphas → 3×3 max-pool → ÷ max →
// > threshold, nearest-resized to the latent grid. Pass `blend` (one thread per latent value): edited
// prompts keep their latent inside mask(source) ∪ mask(prompt) and take the source's outside.
override WORKGROUP_SIZE: u32 = 256u;

struct Params {
  prompts: u32,
  channels: u32,
  height: u32,
  width: u32,
  res: u32,        // map side R
  keys: u32,       // tokens per map row (77)
  threshold: f32,
}

@group(0) @binding(0) var<storage, read> maps: array<f32>;        // [P, R·R, K]
@group(0) @binding(1) var<storage, read> alphas: array<f32>;      // [P, K]
@group(0) @binding(2) var<storage, read_write> scratch: array<f32>; // [P, R·R] word maps
@group(0) @binding(3) var<storage, read_write> masks: array<f32>;   // [P, H·W] 0 or 1
@group(0) @binding(4) var<uniform> params: Params;

var<workgroup> partialMax: array<f32, WORKGROUP_SIZE>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn masks_main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let p = wg.x;
  let res = params.res;
  let pixels = res * res;
  let keys = params.keys;
  for (var px = lid; px < pixels; px += WORKGROUP_SIZE) {
    var sum = 0.0;
    let row = (p * pixels + px) * keys;
    for (var t = 0u; t < keys; t++) {
      sum += maps[row + t] * alphas[p * keys + t];
    }
    scratch[p * pixels + px] = sum;
  }
  storageBarrier();
  workgroupBarrier();
  // 3×3 max-pool (borders ignored) and the pooled map's maximum.
  var localMax = 0.0;
  for (var px = lid; px < pixels; px += WORKGROUP_SIZE) {
    localMax = max(localMax, pooledAt(p, px / res, px % res));
  }
  partialMax[lid] = localMax;
  workgroupBarrier();
  for (var stride = WORKGROUP_SIZE / 2u; stride > 0u; stride /= 2u) {
    if (lid < stride) {
      partialMax[lid] = max(partialMax[lid], partialMax[lid + stride]);
    }
    workgroupBarrier();
  }
  let total = partialMax[0];
  let size = params.height * params.width;
  for (var i = lid; i < size; i += WORKGROUP_SIZE) {
    let y = i / params.width;
    let x = i % params.width;
    let sy = min((y * res) / params.height, res - 1u);
    let sx = min((x * res) / params.width, res - 1u);
    var inside = 0.0;
    // No attention on the words at all: an empty mask (the source latent is kept everywhere).
    if (total > 0.0 && pooledAt(p, sy, sx) / total > params.threshold) {
      inside = 1.0;
    }
    masks[p * size + i] = inside;
  }
}

fn pooledAt(p: u32, y: u32, x: u32) -> f32 {
  let res = i32(params.res);
  let base = p * params.res * params.res;
  var best = -3.4e38;
  for (var dy = -1; dy <= 1; dy++) {
    for (var dx = -1; dx <= 1; dx++) {
      let yy = i32(y) + dy;
      let xx = i32(x) + dx;
      if (yy >= 0 && yy < res && xx >= 0 && xx < res) {
        best = max(best, scratch[base + u32(yy * res + xx)]);
      }
    }
  }
  return best;
}

@group(0) @binding(0) var<storage, read> latents: array<f32>;       // [P, C, H, W]
@group(0) @binding(1) var<storage, read> blendMasks: array<f32>;    // [P, H·W]
@group(0) @binding(2) var<storage, read_write> out: array<f32>;     // [P, C, H, W]
@group(0) @binding(3) var<uniform> blendParams: Params;

@compute @workgroup_size(WORKGROUP_SIZE)
fn blend_main(@builtin(global_invocation_id) id: vec3<u32>) {
  let size = blendParams.height * blendParams.width;
  let perPrompt = blendParams.channels * size;
  let i = id.x;
  if (i >= blendParams.prompts * perPrompt) {
    return;
  }
  let p = i / perPrompt;
  let value = latents[i];
  if (p == 0u) {
    out[i] = value;
    return;
  }
  let within = i % perPrompt;
  let pixel = within % size;
  let inside = max(blendMasks[pixel], blendMasks[p * size + pixel]);
  let source = latents[within];
  out[i] = source + inside * (value - source);
}
