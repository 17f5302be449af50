// The attention store on the GPU: sum += x, elementwise (p2p_attn summed over the UNet calls of a run).
// CPU twin: `accumulate` in src/diffusion/pipelineTensors.ts.
override WORKGROUP_SIZE: u32 = 256u;

struct Params {
  count: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> sum: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
  let i = id.x;
  if (i >= params.count) {
    return;
  }
  sum[i] = sum[i] + x[i];
}
