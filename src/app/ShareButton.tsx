/**
 * Copies the share link (the URL always holds the whole recipe) to the clipboard.
 */
import { useState } from 'react';
import { shareLink } from './urlSync';

export function ShareButton() {
  const [copied, setCopied] = useState<'idle' | 'copied' | 'failed'>('idle');
  return (
    <button
      type="button"
      onClick={() => {
        navigator.clipboard.writeText(shareLink()).then(
          () => setCopied('copied'),
          () => setCopied('failed'),
        );
        setTimeout(() => setCopied('idle'), 2500);
      }}
    >
      {copied === 'copied' ? 'Link copied' : copied === 'failed' ? 'Copy failed: use the address bar' : 'Copy link'}
    </button>
  );
}
