// A picture as the pipeline's input: centre-cropped to a square and resampled to the model's image size by area
// averaging (each output pixel is the mean of the source area it covers, with fractional edges: no aliasing when
// shrinking a photo, plain blocks when enlarging a small image), as `[1, 3, S, S]` in [-1, 1] (what the VAE
// encoder takes; transparent parts become black, as a browser canvas reads them). Pure: RGBA bytes in, floats out.

/** `rgba` is `height × width × 4` bytes, row-major. */
export function imageToSample(rgba: ArrayLike<number>, width: number, height: number, size: number): Float32Array {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) throw new Error(`image size must be positive integers, got ${width}×${height}`);
  if (rgba.length !== width * height * 4) throw new Error(`an RGBA ${width}×${height} image has ${width * height * 4} bytes, got ${rgba.length}`);
  const side = Math.min(width, height);
  const x0 = (width - side) / 2;
  const y0 = (height - side) / 2;
  const scale = side / size;
  const out = new Float32Array(3 * size * size);
  // The source interval [a, b) of output index i, and how much of source pixel k it covers (never past the crop's
  // end or the image's last pixel: rounding can put b a hair beyond them).
  const spans = (origin: number, limit: number) =>
    Array.from({ length: size }, (_, i) => {
      const a = origin + i * scale;
      const b = Math.min(a + scale, origin + side);
      const cells: [number, number][] = [];
      for (let k = Math.floor(a); k < Math.min(Math.ceil(b), limit); k++) {
        const w = Math.min(b, k + 1) - Math.max(a, k);
        if (w > 1e-9) cells.push([k, w]);
      }
      return cells;
    });
  const rows = spans(y0, height);
  const cols = spans(x0, width);
  for (let i = 0; i < size; i++) {
    for (let j = 0; j < size; j++) {
      const sum = [0, 0, 0];
      let area = 0;
      for (const [y, wy] of rows[i]) {
        for (const [x, wx] of cols[j]) {
          const p = (y * width + x) * 4;
          // Transparent parts count as black (what a browser canvas gives them), so every reader agrees.
          const w = wy * wx;
          const a = w * (rgba[p + 3] / 255);
          sum[0] += a * rgba[p];
          sum[1] += a * rgba[p + 1];
          sum[2] += a * rgba[p + 2];
          area += w;
        }
      }
      for (let c = 0; c < 3; c++) out[(c * size + i) * size + j] = sum[c] / area / 127.5 - 1;
    }
  }
  return out;
}
