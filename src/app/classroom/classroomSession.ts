/**
 * Classroom mode's state and runs: whether the presenter view is open, which lesson shows, and each lesson's
 * figure (its runs made one after another on the engine, with progress; kept until the recipes change, so
 * going back does not run again). Moving to another lesson or leaving stops a figure that is still running.
 */
import { create } from 'zustand';
import { lessonsFor, type Lesson, type LessonId } from '../../classroom/lessons';
import type { RgbaImage } from '../../state/results';
import { useStudio } from '../../state/store';
import { encodeRecipe } from '../../state/urlCodec';
import { downloadSheet, type SheetRow } from '../downloads';
import { cancel, runRecipe, toRunError, type RunOutput } from '../engineSession';
import { cachedEntry, isEmbedded } from '../modelCatalog';
import { greyToRgba } from '../RgbaCanvas';

export interface FigureState {
  /** The recipes it was made from (a changed studio recipe makes 3.10 stale). */
  key: string;
  /** 'waiting': a model that is not downloaded yet, made only when the user asks (a download of gigabytes). */
  status: 'waiting' | 'running' | 'done' | 'error';
  /** The run in progress (0-based) of `runs`, and its UNet call. */
  run: number;
  runs: number;
  call: number;
  total: number;
  outputs: RunOutput[];
  error?: string;
}

export interface ClassroomState {
  open: boolean;
  step: number;
  figures: Partial<Record<LessonId, FigureState>>;
}

export const useClassroom = create<ClassroomState>(() => ({ open: false, step: 0, figures: {} }));

let running: AbortController | undefined;

export const figureKey = (lesson: Lesson): string => lesson.runs.map(encodeRecipe).join('\n');

export function currentLessons(): Lesson[] {
  return lessonsFor(useStudio.getState().recipe);
}

function setFigure(id: LessonId, patch: Partial<FigureState>): void {
  useClassroom.setState((s) => ({ figures: { ...s.figures, [id]: { ...s.figures[id]!, ...patch } } }));
}

function stopFigure(): void {
  running?.abort();
  running = undefined;
  // A figure stopped half way is dropped, so that showing its lesson again runs it again.
  useClassroom.setState((s) => ({ figures: Object.fromEntries(Object.entries(s.figures).filter(([, f]) => f?.status !== 'running')) }));
}

export function openClassroom(): void {
  cancel();
  useClassroom.setState({ open: true });
}

let returnFocus = false;

export function closeClassroom(): void {
  stopFigure();
  returnFocus = true;
  useClassroom.setState({ open: false });
}

/** Whether the studio, shown again, should focus the Classroom button (once). */
export function takeReturnFocus(): boolean {
  const due = returnFocus;
  returnFocus = false;
  return due;
}

export function goToLesson(step: number): void {
  const count = currentLessons().length;
  const next = Math.max(0, Math.min(count - 1, step));
  if (next === useClassroom.getState().step) return;
  stopFigure();
  useClassroom.setState({ step: next });
}

/**
 * Makes the lesson's figure unless it is made (or being made) from the same recipes. `shown` (the lesson just came
 * on screen) waits for the user instead when the model would have to be downloaded first.
 */
export async function ensureFigure(lesson: Lesson, shown = false): Promise<void> {
  const key = figureKey(lesson);
  const existing = useClassroom.getState().figures[lesson.id];
  if (existing && existing.key === key && existing.status !== 'error' && existing.status !== 'waiting') return;
  const model = lesson.runs[0]!.model;
  const { cached, hubEndpoint } = useStudio.getState().models;
  if (shown && !isEmbedded(model) && !cachedEntry(model, cached, hubEndpoint)?.complete) {
    useClassroom.setState((s) => ({ figures: { ...s.figures, [lesson.id]: { key, status: 'waiting', run: 0, runs: lesson.runs.length, call: 0, total: 0, outputs: [] } } }));
    return;
  }
  running?.abort();
  const controller = new AbortController();
  running = controller;
  useClassroom.setState((s) => ({ figures: { ...s.figures, [lesson.id]: { key, status: 'running', run: 0, runs: lesson.runs.length, call: 0, total: 0, outputs: [] } } }));
  try {
    const outputs: RunOutput[] = [];
    for (const [i, recipe] of lesson.runs.entries()) {
      setFigure(lesson.id, { run: i, call: 0, total: 0 });
      outputs.push(await runRecipe(recipe, controller.signal, (call, total) => setFigure(lesson.id, { call, total })));
      if (controller.signal.aborted) return;
    }
    setFigure(lesson.id, { status: 'done', outputs });
  } catch (err) {
    if (controller.signal.aborted) return;
    const recipe = lesson.runs[0]!;
    setFigure(lesson.id, { status: 'error', error: toRunError(err, [recipe.prompt, ...recipe.edits]).message });
  } finally {
    if (running === controller) running = undefined;
  }
}

/** The image a figure cell shows, once made. */
export function cellImage(figure: FigureState | undefined, cell: { run: number; phase: 'main' | 'baseline'; prompt: number }): RgbaImage | undefined {
  return figure?.outputs[cell.run]?.images[cell.phase][cell.prompt];
}

/** The lesson's figure as a labelled PNG sheet: heading, the images with their captions, then the token maps. */
export function exportFigure(lesson: Lesson, figure: FigureState): void {
  const images = lesson.rows.flatMap((row) =>
    row.cells.flatMap((cell) => {
      const image = cellImage(figure, cell);
      return image ? [{ ...image, label: lesson.rows.length > 1 ? `${row.title}: ${cell.label}` : cell.label }] : [];
    }),
  );
  const rows: SheetRow[] = [];
  const maps = lesson.maps && figure.outputs[lesson.maps.run]?.attention[lesson.maps.prompt];
  if (maps) {
    rows.push({
      title: `Cross-attention per token: ${lesson.maps!.prompt === 0 ? lesson.runs[lesson.maps!.run]!.prompt : lesson.runs[lesson.maps!.run]!.edits[lesson.maps!.prompt - 1]}`,
      items: maps.tiles.map((tile, t) => ({ label: maps.tokens[t]!, image: { label: maps.tokens[t]!, width: maps.resolution, height: maps.resolution, rgba: greyToRgba(tile) } })),
    });
  }
  const slug = lesson.title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
  downloadSheet(images, rows, `classroom-${lesson.id}-${slug}.png`, `${lesson.id} ${lesson.title}`);
}
