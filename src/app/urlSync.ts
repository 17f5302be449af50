/**
 * Keeps the recipe and the address bar in step: read once at start-up (with notices for ignored
 * values), then `history.replaceState` on every change so the URL is always a share link.
 */
import { useStudio } from '../state/store';
import { decodeRecipe, encodeRecipe } from '../state/urlCodec';

/** Reads the recipe from the URL; returns whether the URL held one (a share link). */
export function startUrlSync(): boolean {
  const { recipe, ignored } = decodeRecipe(window.location.search);
  useStudio.setState({ recipe, notices: ignored });
  let last = '';
  const write = (query: string) => {
    if (query === last) return;
    last = query;
    window.history.replaceState(null, '', `${window.location.pathname}?${query}`);
  };
  const fromLink = new URLSearchParams(window.location.search).has('p');
  write(encodeRecipe(recipe));
  useStudio.subscribe((s) => write(encodeRecipe(s.recipe)));
  return fromLink;
}

export function shareLink(): string {
  return `${window.location.origin}${window.location.pathname}?${encodeRecipe(useStudio.getState().recipe)}`;
}
