/**
 * The studio page. For now: what the app is, and the system check that the engine builds on.
 */
import { SystemCheck } from './SystemCheck';

export function App() {
  return (
    <main>
      <h1>Prompt-to-Prompt Studio</h1>
      <p>
        Generate an image from a prompt, then edit the image by editing the words — “a cat riding a bicycle” →
        “a dog riding a bicycle” — while its layout stays put. Everything runs in your browser.
      </p>
      <section aria-label="System check">
        <h2>System check</h2>
        <SystemCheck />
      </section>
    </main>
  );
}
