/**
 * Tells the user what a share link contained that could not be used (and was replaced by defaults).
 */
import { useStudio } from '../state/store';

export function Notices() {
  const notices = useStudio((s) => s.notices);
  const { setNotices } = useStudio.getState();
  if (notices.length === 0) return null;
  return (
    <div role="status" className="notice" data-testid="link-notice">
      <p>Some values in this link were ignored and replaced by defaults:</p>
      <ul>{notices.map((n, i) => <li key={i}>{n}</li>)}</ul>
      <button type="button" onClick={() => setNotices([])}>Dismiss</button>
    </div>
  );
}
