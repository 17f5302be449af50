// Classifier-free guidance (Ho & Salimans 2022): eps = u + g · (c − u), elementwise.
// `noise` holds the UNet output as [uncond group, cond group]; `out` receives one guided group.
override WORKGROUP_SIZE: u32 = 256u;

struct Params {
  count: u32,   // elements in one group
  scale: f32,   // guidance scale g
}

@group(0) @binding(0) var<storage, read> noise: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
  let i = id.x;
  if (i >= params.count) {
    return;
  }
  let u = noise[i];
  let c = noise[i + params.count];
  out[i] = u + params.scale * (c - u);
}
