// Per-token greyscale heatmap tiles of accumulated cross-attention, as the reference
// `show_cross_attention`. CPU twin: `tokenHeatmaps` in src/p2p/heatmaps.ts.
// One workgroup per (prompt, token): the tile's maximum, then round(255 · v / max) per pixel.
override WORKGROUP_SIZE: u32 = 256u;

struct Params {
  pixels: u32,   // R·R
  keys: u32,     // tokens per map row (77)
  count: u32,    // tiles per prompt (tokens 0 … count−1)
}

@group(0) @binding(0) var<storage, read> maps: array<f32>;       // [P, R·R, K]
@group(0) @binding(1) var<storage, read_write> tiles: array<u32>; // [P, count, R·R], one grey level per u32
@group(0) @binding(2) var<uniform> params: Params;

var<workgroup> partialMax: array<f32, WORKGROUP_SIZE>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let token = wg.x;
  let p = wg.y;
  let base = p * params.pixels * params.keys + token;
  var localMax = 0.0;
  for (var px = lid; px < params.pixels; px += WORKGROUP_SIZE) {
    localMax = max(localMax, maps[base + px * params.keys]);
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
  let out = (p * params.count + token) * params.pixels;
  for (var px = lid; px < params.pixels; px += WORKGROUP_SIZE) {
    var level = 0u;
    if (total > 0.0) {
      // Math.round: halves go up; clamp as Uint8ClampedArray does.
      level = u32(clamp(floor(255.0 * maps[base + px * params.keys] / total + 0.5), 0.0, 255.0));
    }
    tiles[out + px] = level;
  }
}
