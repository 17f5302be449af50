/**
 * One line in the model panel when wasm cannot use threads: the host sends no COOP/COEP headers and the
 * service worker could not provide them (src/app/isolation.ts says why). Nothing is shown otherwise.
 */
import { singleThreadNotice, useIsolation } from './isolation';

export function IsolationNotice() {
  const state = useIsolation();
  if (state.kind !== 'single-thread') return null;
  return (
    <p data-testid="isolation-notice" className="warn">
      {singleThreadNotice(state.reason)}
    </p>
  );
}
