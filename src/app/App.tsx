/**
 * The studio page: prompts and controls on the left; run, results, attention and engine on the right.
 */
import { AttentionPanel } from './AttentionPanel';
import { ConfirmDownload } from './ConfirmDownload';
import { InjectionControls } from './InjectionControls';
import { ModelPanel } from './ModelPanel';
import { Notices } from './Notices';
import { UpdatePrompt } from './UpdatePrompt';
import { Presets } from './Presets';
import { PromptEditor } from './PromptEditor';
import { Results } from './Results';
import { RunBar } from './RunBar';
import { SamplerControls } from './SamplerControls';
import { ShareButton } from './ShareButton';

export function App() {
  return (
    <div className="studio">
      <header>
        <h1>Prompt-to-Prompt Studio</h1>
        <p>
          Generate an image from a prompt, then edit it by editing the words — “a red circle” → “a red square” —
          while its layout stays put. Everything runs in your browser.
        </p>
        <div className="row toolbar">
          <Presets />
          <ShareButton />
        </div>
      </header>
      <UpdatePrompt />
      <Notices />
      <ConfirmDownload />
      <main className="columns">
        <div className="controls">
          <PromptEditor />
          <InjectionControls />
          <SamplerControls />
        </div>
        <div className="output">
          <RunBar />
          <Results />
          <AttentionPanel />
          <ModelPanel />
        </div>
      </main>
    </div>
  );
}
