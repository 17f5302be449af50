/**
 * The studio page: prompts and controls on the left, the run, results and attention on the right.
 */
import { InjectionControls } from './InjectionControls';
import { Notices } from './Notices';
import { PromptEditor } from './PromptEditor';
import { SamplerControls } from './SamplerControls';
import { SystemCheck } from './SystemCheck';

export function App() {
  return (
    <div className="studio">
      <header>
        <h1>Prompt-to-Prompt Studio</h1>
        <p>
          Generate an image from a prompt, then edit it by editing the words — “a red circle” → “a red square” —
          while its layout stays put. Everything runs in your browser.
        </p>
      </header>
      <Notices />
      <main className="columns">
        <div className="controls">
          <PromptEditor />
          <InjectionControls />
          <SamplerControls />
        </div>
        <div className="output">
          <section aria-label="System check" className="panel">
            <h2>Engine</h2>
            <SystemCheck />
          </section>
        </div>
      </main>
    </div>
  );
}
