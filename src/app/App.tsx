/**
 * The studio page, image first: the compared prompts and the source/edit pair large in the middle, with the
 * scrubber, every result and the per-token maps under them; next to them the run bar and the main controls
 * (prompts, how much of the source to keep, seed, steps), advanced settings folded into sections. On narrow
 * screens the controls follow the images. Classroom mode replaces it all with the presenter view.
 */
import { useEffect, useRef } from 'react';
import { About } from './About';
import { openClassroom, takeReturnFocus, useClassroom } from './classroom/classroomSession';
import { Presenter } from './classroom/Presenter';
import { PicturePanel } from './picture/PicturePanel';
import { ConfirmDownload } from './ConfirmDownload';
import { InjectionControls } from './InjectionControls';
import { ModelPanel } from './ModelPanel';
import { Notices } from './Notices';
import { UpdatePrompt } from './UpdatePrompt';
import { Presets } from './Presets';
import { PromptEditor } from './PromptEditor';
import { RunBar } from './RunBar';
import { SamplerControls } from './SamplerControls';
import { ShareButton } from './ShareButton';
import { SHORTCUTS, useShortcuts } from './shortcuts';
import { Stage } from './stage/Stage';

function ShortcutHelp() {
  return (
    <details className="shortcuts">
      <summary>Keyboard shortcuts</summary>
      <dl className="facts">
        {SHORTCUTS.map((s) => (
          <div key={s.keys} className="fact">
            <dt>
              <kbd>{s.keys}</kbd>
            </dt>
            <dd>{s.does}</dd>
          </div>
        ))}
      </dl>
    </details>
  );
}

function ClassroomButton() {
  const ref = useRef<HTMLButtonElement>(null);
  // Back from the presenter view, focus returns to the button that opened it.
  useEffect(() => {
    if (takeReturnFocus()) ref.current?.focus();
  }, []);
  return (
    <button ref={ref} type="button" onClick={openClassroom} title="A presenter view of the notebook's sections (3.1 to 3.10), in large type, with their figures.">
      Classroom
    </button>
  );
}

export function App() {
  useShortcuts();
  const presenting = useClassroom((s) => s.open);
  if (presenting) {
    return (
      <div className="studio presenting">
        <UpdatePrompt />
        <ConfirmDownload />
        <Presenter />
      </div>
    );
  }
  return (
    <div className="studio">
      <a className="skip-link" href="#controls">
        Skip to the controls
      </a>
      <header className="topbar">
        <div className="brand">
          <h1>Prompt-to-Prompt Studio</h1>
          <p className="tagline">Edit an image by editing the words; its layout stays put. Runs in your browser.</p>
        </div>
        <div className="toolbar">
          <Presets />
          <ShareButton />
          <ClassroomButton />
        </div>
      </header>
      <UpdatePrompt />
      <Notices />
      <ConfirmDownload />
      <main className="workspace">
        <Stage />
        <aside className="side" id="controls" aria-label="Controls" tabIndex={-1}>
          <RunBar />
          <PicturePanel />
          <PromptEditor />
          <InjectionControls />
          <SamplerControls />
          <ModelPanel />
          <ShortcutHelp />
          <About />
        </aside>
      </main>
    </div>
  );
}
