/**
 * The About panel: what the studio implements and whose work it stands on, with the licences the embedded
 * models' training images come under (the emoji model learnt from Noto Emoji, Apache License 2.0).
 */

interface Credit {
  what: string;
  who: string;
  /** The licence (or the source) and where to read it; none for this project's own work. */
  licence?: { name: string; href: string };
}

const CREDITS: readonly Credit[] = [
  {
    what: 'Prompt-to-Prompt',
    who: 'Hertz, Mokady, Tenenbaum, Aberman, Pritch and Cohen-Or, “Prompt-to-Prompt Image Editing with Cross Attention Control” (2022); this studio is a new implementation of its method',
    licence: { name: 'the paper', href: 'https://arxiv.org/abs/2208.01626' },
  },
  {
    what: 'The embedded emoji model',
    who: 'trained by this project on pictures composed from Noto Emoji by Google (from the npm package emoji-datasource-google 16.0.0, © Cal Henderson, MIT); the table and the lasagne are drawn by the training tool',
    licence: { name: 'Noto Emoji images: Apache License 2.0', href: 'https://github.com/googlefonts/noto-emoji/blob/main/LICENSE' },
  },
  {
    what: 'The embedded toy-shapes model',
    who: 'trained by this project on procedurally drawn shapes (tools/toy-model): no third-party images',
  },
  {
    what: 'ONNX Runtime Web',
    who: 'Microsoft: runs the models on WebGPU or WebAssembly',
    licence: { name: 'MIT', href: 'https://github.com/microsoft/onnxruntime/blob/main/LICENSE' },
  },
  {
    what: 'Transformers.js',
    who: 'Hugging Face: the CLIP tokenizer',
    licence: { name: 'Apache License 2.0', href: 'https://github.com/huggingface/transformers.js/blob/main/LICENSE' },
  },
];

export function About() {
  return (
    <details className="shortcuts about" data-testid="about">
      <summary>About and credits</summary>
      <p>Prompt-to-Prompt Studio edits a generated image by editing its prompt: the source prompt’s cross-attention maps are injected while the edited prompt generates, so the layout stays put. Everything runs in this browser.</p>
      <dl className="facts">
        {CREDITS.map((c) => (
          <div key={c.what} className="fact">
            <dt>{c.what}</dt>
            <dd>
              {c.who}.
              {c.licence && (
                <>
                  {' '}
                  <a href={c.licence.href} target="_blank" rel="noreferrer">
                    {c.licence.name}
                  </a>
                </>
              )}
            </dd>
          </div>
        ))}
      </dl>
    </details>
  );
}
