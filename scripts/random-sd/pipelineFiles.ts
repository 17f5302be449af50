/**
 * The small files of a random-weight pipeline in the ONNX (optimum / diffusers OnnxStableDiffusionPipeline)
 * layout: model_index.json, each component's config as diffusers and transformers write them, the scheduler config
 * and the tokenizer.
 * - SD 1.x: SD 1.5's PNDM config and a byte-level CLIP tokenizer (`vocab.json` + `merges.txt`, no `tokenizer.json`,
 *   as most SD repositories ship it) whose ids sit where CLIP's do: bytes 0–511, `<|startoftext|>` 49406,
 *   `<|endoftext|>` 49407.
 * - LDM text2im (what tools/ldm/export_onnx.py writes for CompVis/ldm-text2im-large-256): its DDIM config, an
 *   LDM-BERT text encoder config, and a WordPiece `vocab.txt` laid out as bert-base-uncased's ([PAD] 0, [UNK] 100,
 *   [CLS] 101, [SEP] 102, [MASK] 103) with every letter as a word start and a `##` piece, so any word tokenises.
 */

export interface PipelineShape {
  sampleSize: number;
  unetBlocks: number[];
  crossAttentionDim: number;
  vaeBlocks: number[];
  text: { kind?: 'clip' | 'ldm-bert'; dim: number; layers: number; heads: number; vocab_size?: number };
}

const CROSS_DOWN = ['CrossAttnDownBlock2D', 'CrossAttnDownBlock2D', 'CrossAttnDownBlock2D', 'DownBlock2D'];
const CROSS_UP = ['UpBlock2D', 'CrossAttnUpBlock2D', 'CrossAttnUpBlock2D', 'CrossAttnUpBlock2D'];

/** CLIP's byte → printable character table (the GPT-2 byte-level BPE alphabet), in CLIP's vocabulary order. */
export function byteAlphabet(): string[] {
  const printable: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) printable.push(b);
  for (let b = 0xa1; b <= 0xac; b++) printable.push(b);
  for (let b = 0xae; b <= 0xff; b++) printable.push(b);
  const chars = printable.map((b) => String.fromCodePoint(b));
  let extra = 0;
  for (let b = 0; b < 256; b++) if (!printable.includes(b)) chars.push(String.fromCodePoint(256 + extra++));
  return chars;
}

export function tokenizerFiles(): Record<string, string> {
  const alphabet = byteAlphabet();
  const vocab: Record<string, number> = {};
  alphabet.forEach((c, i) => (vocab[c] = i));
  alphabet.forEach((c, i) => (vocab[`${c}</w>`] = 256 + i));
  vocab['<|startoftext|>'] = 49406;
  vocab['<|endoftext|>'] = 49407;
  const special = { bos_token: '<|startoftext|>', eos_token: '<|endoftext|>', pad_token: '<|endoftext|>', unk_token: '<|endoftext|>' };
  return {
    'tokenizer/vocab.json': JSON.stringify(vocab),
    'tokenizer/merges.txt': '#version: 0.2\n',
    'tokenizer/special_tokens_map.json': JSON.stringify(special, null, 2),
    'tokenizer/tokenizer_config.json': JSON.stringify({ tokenizer_class: 'CLIPTokenizer', model_max_length: 77, do_lower_case: true, ...special }, null, 2),
  };
}

const json = (o: object) => `${JSON.stringify(o, null, 2)}\n`;

/** SD 1.x's (and LDM text2im's) training noise schedule, as both pipelines' scheduler configs state it. */
const NOISE_SCHEDULE = {
  _diffusers_version: '0.30.0',
  beta_end: 0.012,
  beta_schedule: 'scaled_linear',
  beta_start: 0.00085,
  clip_sample: false,
  num_train_timesteps: 1000,
  prediction_type: 'epsilon',
  set_alpha_to_one: false,
  steps_offset: 1,
  trained_betas: null,
};

function unetConfig(shape: PipelineShape): object {
  return {
    _class_name: 'UNet2DConditionModel',
    _diffusers_version: '0.30.0',
    act_fn: 'silu',
    attention_head_dim: 8,
    block_out_channels: shape.unetBlocks,
    center_input_sample: false,
    cross_attention_dim: shape.crossAttentionDim,
    down_block_types: CROSS_DOWN,
    downsample_padding: 1,
    flip_sin_to_cos: true,
    freq_shift: 0,
    in_channels: 4,
    layers_per_block: 2,
    mid_block_scale_factor: 1,
    norm_eps: 1e-5,
    norm_num_groups: 32,
    out_channels: 4,
    sample_size: shape.sampleSize,
    up_block_types: CROSS_UP,
  };
}

/** The KL-f8 autoencoder's config (SD's, and LDM text2im's first stage). */
function vaeConfig(shape: PipelineShape): object {
  const n = shape.vaeBlocks.length;
  return {
    _class_name: 'AutoencoderKL',
    _diffusers_version: '0.30.0',
    act_fn: 'silu',
    block_out_channels: shape.vaeBlocks,
    down_block_types: Array(n).fill('DownEncoderBlock2D'),
    in_channels: 3,
    latent_channels: 4,
    layers_per_block: 2,
    norm_num_groups: 32,
    out_channels: 3,
    sample_size: shape.sampleSize * 2 ** (n - 1),
    scaling_factor: 0.18215,
    up_block_types: Array(n).fill('UpDecoderBlock2D'),
  };
}

export function configFiles(shape: PipelineShape, note: string): Record<string, string> {
  return {
    'model_index.json': json({
      _class_name: 'OnnxStableDiffusionPipeline',
      _diffusers_version: '0.30.0',
      feature_extractor: [null, null],
      requires_safety_checker: false,
      safety_checker: [null, null],
      scheduler: ['diffusers', 'PNDMScheduler'],
      text_encoder: ['diffusers', 'OnnxRuntimeModel'],
      tokenizer: ['transformers', 'CLIPTokenizer'],
      unet: ['diffusers', 'OnnxRuntimeModel'],
      vae_decoder: ['diffusers', 'OnnxRuntimeModel'],
      vae_encoder: [null, null],
    }),
    'README.md': `# Random-weight Stable Diffusion 1.x pipeline\n\n${note}\n`,
    'scheduler/scheduler_config.json': json({ _class_name: 'PNDMScheduler', ...NOISE_SCHEDULE, skip_prk_steps: true }),
    'unet/config.json': json(unetConfig(shape)),
    'text_encoder/config.json': json({
      architectures: ['CLIPTextModel'],
      model_type: 'clip_text_model',
      hidden_act: 'quick_gelu',
      hidden_size: shape.text.dim,
      intermediate_size: shape.text.dim * 4,
      num_attention_heads: shape.text.heads,
      num_hidden_layers: shape.text.layers,
      max_position_embeddings: 77,
      vocab_size: 49408,
      layer_norm_eps: 1e-5,
      bos_token_id: 49406,
      eos_token_id: 49407,
      pad_token_id: 49407,
      projection_dim: shape.text.dim,
      torch_dtype: 'float32',
    }),
    'vae_decoder/config.json': json(vaeConfig(shape)),
  };
}

/** The ONNX layout of an LDM text2im pipeline (the names tools/ldm/export_onnx.py writes). */
export function ldmConfigFiles(shape: PipelineShape, note: string): Record<string, string> {
  const vocab = shape.text.vocab_size ?? 30522;
  return {
    'model_index.json': json({
      _class_name: 'OnnxLDMTextToImagePipeline',
      _diffusers_version: '0.30.0',
      scheduler: ['diffusers', 'DDIMScheduler'],
      text_encoder: ['diffusers', 'OnnxRuntimeModel'],
      tokenizer: ['transformers', 'BertTokenizer'],
      unet: ['diffusers', 'OnnxRuntimeModel'],
      vae_decoder: ['diffusers', 'OnnxRuntimeModel'],
    }),
    'README.md': `# Random-weight LDM text2im pipeline\n\n${note}\n`,
    'scheduler/scheduler_config.json': json({ _class_name: 'DDIMScheduler', ...NOISE_SCHEDULE }),
    'unet/config.json': json(unetConfig(shape)),
    'text_encoder/config.json': json({
      architectures: ['LDMBertModel'],
      model_type: 'ldmbert',
      vocab_size: vocab,
      max_position_embeddings: 77,
      d_model: shape.text.dim,
      encoder_layers: shape.text.layers,
      encoder_attention_heads: shape.text.heads,
      head_dim: shape.text.dim / shape.text.heads,
      encoder_ffn_dim: shape.text.dim * 4,
      activation_function: 'gelu',
      pad_token_id: 0,
      torch_dtype: 'float32',
    }),
    'vae_decoder/config.json': json(vaeConfig(shape)),
  };
}

/** Words of the notebook's prompts and around them, whole; anything else splits into letters. */
const LDM_WORDS = (
  'the a an of and on in with at by to is are cat cats dog dogs bicycle bike riding ride painting photo squirrel ' +
  'eating burger lion tiger bird mouse rabbit sitting table pizza lasagne pasta car red blue green yellow snow night ' +
  'house tree man woman apple bowl sky sea mountain flower field street city bread cake chair boat horse small big ' +
  'black white brown golden'
).split(' ');

export function wordPieceTokenizerFiles(vocabSize: number): Record<string, string> {
  const lines = ['[PAD]', ...Array.from({ length: 99 }, (_, i) => `[unused${i}]`), '[UNK]', '[CLS]', '[SEP]', '[MASK]'];
  const symbols = [...'!"#$%&\'()*+,-./0123456789:;<=>?@[\\]^_`{|}~'];
  const letters = [...'abcdefghijklmnopqrstuvwxyz'];
  lines.push(...symbols, ...letters, ...letters.map((c) => `##${c}`), ...[...'0123456789'].map((d) => `##${d}`));
  lines.push(...LDM_WORDS, '##s', '##ing', '##ed', '##er');
  if (lines.length > vocabSize) throw new Error(`the WordPiece vocabulary has ${lines.length} entries, more than the encoder's ${vocabSize}`);
  const special = { cls_token: '[CLS]', sep_token: '[SEP]', pad_token: '[PAD]', unk_token: '[UNK]', mask_token: '[MASK]' };
  return {
    'tokenizer/vocab.txt': `${lines.join('\n')}\n`,
    'tokenizer/special_tokens_map.json': json(special),
    'tokenizer/tokenizer_config.json': json({ tokenizer_class: 'BertTokenizer', do_lower_case: true, model_max_length: 77, ...special }),
  };
}
