/**
 * Copies the share link (the URL always holds the whole recipe, version 2 format) to the clipboard.
 */
import { useState } from 'react';
import { shareLink } from './urlSync';

export function ShareButton() {
  const [copied, setCopied] = useState<'idle' | 'copied' | 'failed'>('idle');
  return (
    <button
      type="button"
      onClick={() => {
        // The link is encoded asynchronously (CompressionStream); Chromium and Firefox keep the click's user
        // activation for the few milliseconds that takes.
        shareLink().then((link) => navigator.clipboard.writeText(link)).then(
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
