// `npm run random-sd -- --out DIR [--scale mini|full] [--pipeline sd15|ldm] [--unet-fp32|--unet-fp16] [--seed N]`:
// writes a random-weight Stable Diffusion 1.5 (or LDM text2im) pipeline in the ONNX layout
// (scripts/random-sd/writeRandomSd.ts) and prints what it wrote.
import { writeRandomSd, type Pipeline, type Scale } from './random-sd/writeRandomSd';

const USAGE = `usage: npm run random-sd -- --out DIR [--scale mini|full] [--pipeline sd15|ldm] [--unet-fp16|--unet-fp32] [--seed N]
  --scale mini     SD 1.5's structure at small widths, 32x32 latents (default; about 30 MB, seconds)
  --scale full     SD 1.5's exact shapes: UNet 859,520,964 parameters (fp16, 1.7 GB), CLIP ViT-L/14 text
                   encoder, SD's VAE decoder (about 2.4 GB in all, a minute or two)
  --pipeline ldm   CompVis' LDM text2im at mini scale: LDM-BERT text encoder, WordPiece vocab.txt, DDIM`;

function main(argv: string[]): void {
  const get = (flag: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const out = get('--out');
  const scale = (get('--scale') ?? 'mini') as Scale;
  const pipeline = (get('--pipeline') ?? 'sd15') as Pipeline;
  if (argv.includes('--help') || !out || (scale !== 'mini' && scale !== 'full') || (pipeline !== 'sd15' && pipeline !== 'ldm')) {
    console.log(USAGE);
    process.exit(argv.includes('--help') ? 0 : 2);
  }
  const unetFp16 = argv.includes('--unet-fp16') ? true : argv.includes('--unet-fp32') ? false : undefined;
  const seed = get('--seed') ? Number(get('--seed')) : undefined;
  const started = performance.now();
  const s = writeRandomSd({ scale, pipeline, out, unetFp16, seed });
  for (const [name, c] of Object.entries(s.components)) {
    console.log(`${name.padEnd(13)} ${c.precision}  ${c.parameters.toLocaleString('en-US').padStart(12)} parameters  graph ${(c.graphBytes / 1e6).toFixed(2)} MB  model.onnx_data ${(c.dataBytes / 1e6).toFixed(1)} MB`);
  }
  console.log(`wrote ${out} (${pipeline} ${scale}) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

main(process.argv.slice(2));
