/**
 * Classroom mode's presenter view: large type, the notebook's sections as steps with their figures, keyboard
 * navigation (← → or Page Up / Page Down, Home / End, 1–6, Escape to leave), and each figure as a labelled PNG.
 * It replaces the studio while open; the studio's recipe is untouched (3.10 shows it).
 */
import { useEffect, useRef, type CSSProperties } from 'react';
import { lessonsFor, type Lesson } from '../../classroom/lessons';
import { useStudio } from '../../state/store';
import { greyToRgba, RgbaCanvas } from '../RgbaCanvas';
import { cellImage, closeClassroom, ensureFigure, exportFigure, figureKey, goToLesson, useClassroom, type FigureState } from './classroomSession';

function Progress({ lesson, figure }: { lesson: Lesson; figure?: FigureState }) {
  let text = '';
  if (figure?.status === 'running') {
    const of = figure.runs > 1 ? `run ${figure.run + 1} of ${figure.runs}, ` : '';
    text = figure.total > 0 ? `Making the figure: ${of}UNet call ${figure.call} of ${figure.total}…` : `Making the figure: ${of}loading…`;
  } else if (figure?.status === 'done') text = 'Figure ready.';
  return (
    <p className="presenter-status" role="status" data-testid="presenter-status">
      {text}
      {figure?.status === 'error' && <span className="error-text">The figure could not be made: {figure.error}</span>}
      {figure?.status === 'waiting' && (
        <>
          {lesson.runs[0]!.model} is not downloaded in this browser yet.{' '}
          <button type="button" onClick={() => void ensureFigure(lesson)}>
            Download it and make the figure
          </button>
        </>
      )}
    </p>
  );
}

function Figure({ lesson, figure }: { lesson: Lesson; figure?: FigureState }) {
  const maps = lesson.maps && figure?.outputs[lesson.maps.run]?.attention[lesson.maps.prompt];
  return (
    <div
      className="presenter-figure" data-testid="presenter-figure"
      // Rows and columns size the images so that the whole figure fits the screen.
      style={{ '--rows': lesson.rows.length + (maps ? 0.5 : 0), '--cols': Math.max(...lesson.rows.map((r) => r.cells.length)) } as CSSProperties}
    >
      {lesson.rows.map((row) => (
        <div key={row.title} className="presenter-row">
          <h3>{row.title}</h3>
          <div className="presenter-cells">
            {row.cells.map((cell) => {
              const image = cellImage(figure, cell);
              return (
                <figure key={`${cell.run}-${cell.phase}-${cell.prompt}`} className="presenter-cell">
                  <div className="presenter-frame">
                    {image ? (
                      <RgbaCanvas width={image.width} height={image.height} rgba={image.rgba} label={cell.label} className="final" pixelated />
                    ) : (
                      <span className="muted">…</span>
                    )}
                  </div>
                  <figcaption>{cell.label}</figcaption>
                </figure>
              );
            })}
          </div>
        </div>
      ))}
      {maps && (
        <div className="presenter-row">
          <h3>Attention per token</h3>
          <ol className="presenter-maps">
            {maps.tiles.map((tile, t) => (
              <li key={t}>
                <RgbaCanvas width={maps.resolution} height={maps.resolution} rgba={greyToRgba(tile)} label={`attention of “${maps.tokens[t]}”`} className="tile" pixelated />
                <span>{maps.tokens[t]}</span>
              </li>
            ))}
          </ol>
        </div>
      )}
    </div>
  );
}

function onKey(e: KeyboardEvent, step: number, count: number): void {
  if (e.ctrlKey || e.metaKey || e.altKey) return;
  const to: Record<string, number> = { ArrowRight: step + 1, PageDown: step + 1, ArrowLeft: step - 1, PageUp: step - 1, Home: 0, End: count - 1 };
  if (e.key === 'Escape') closeClassroom();
  else if (e.key in to) goToLesson(to[e.key]!);
  else if (/^[1-9]$/.test(e.key) && Number(e.key) <= count) goToLesson(Number(e.key) - 1);
  else return;
  e.preventDefault();
}

export function Presenter() {
  const recipe = useStudio((s) => s.recipe);
  const lessons = lessonsFor(recipe);
  const step = useClassroom((s) => s.step);
  const lesson = lessons[Math.min(step, lessons.length - 1)]!;
  const figure = useClassroom((s) => s.figures[lesson.id]);
  const heading = useRef<HTMLHeadingElement>(null);
  const key = `${lesson.id}\n${figureKey(lesson)}`;
  // Each lesson (its id and recipes) is made once when shown; `lesson` itself is rebuilt on every render.
  useEffect(() => {
    void ensureFigure(lesson, true);
  }, [key]);
  useEffect(() => {
    heading.current?.focus();
  }, [lesson.id]);
  useEffect(() => {
    const listener = (e: KeyboardEvent) => onKey(e, useClassroom.getState().step, lessons.length);
    window.addEventListener('keydown', listener);
    return () => window.removeEventListener('keydown', listener);
  }, [lessons.length]);
  return (
    <div className="presenter" data-testid="presenter">
      <header className="presenter-bar">
        <nav aria-label="Sections">
          <ol className="presenter-steps">
            {lessons.map((l, i) => (
              <li key={l.id}>
                <button type="button" aria-current={i === step ? 'step' : undefined} onClick={() => goToLesson(i)} aria-keyshortcuts={String(i + 1)}>
                  <span className="presenter-step-id">{l.id}</span> {l.title}
                </button>
              </li>
            ))}
          </ol>
        </nav>
        <div className="row presenter-actions">
          <button type="button" onClick={() => goToLesson(step - 1)} disabled={step === 0} aria-keyshortcuts="ArrowLeft PageUp">
            ← Previous
          </button>
          <button type="button" onClick={() => goToLesson(step + 1)} disabled={step === lessons.length - 1} aria-keyshortcuts="ArrowRight PageDown">
            Next →
          </button>
          <button type="button" onClick={() => figure && exportFigure(lesson, figure)} disabled={figure?.status !== 'done'}>
            Download PNG
          </button>
          <button type="button" onClick={closeClassroom} aria-keyshortcuts="Escape">
            Back to the studio
          </button>
        </div>
      </header>
      <main className="presenter-main" aria-labelledby="presenter-heading">
        <div className="presenter-text">
          <h2 id="presenter-heading" ref={heading} tabIndex={-1}>
            <span className="presenter-step-id">{lesson.id}</span> {lesson.title}
          </h2>
          <p className="presenter-explain">{lesson.explain}</p>
          <p className="presenter-look">
            <strong>Look for:</strong> {lesson.look}
          </p>
          <Progress lesson={lesson} figure={figure} />
          <p className="muted presenter-keys">← → or Page Up / Page Down: sections · 1–{lessons.length}: jump · Escape: back to the studio</p>
        </div>
        <Figure lesson={lesson} figure={figure} />
      </main>
    </div>
  );
}
