/**
 * A collapsible group of advanced settings (`<details>`). It opens by itself when it holds something the
 * user must see — an error or an invalid value — and otherwise remembers whether the user left it open.
 */
import { useEffect, useState, type ReactNode } from 'react';

export interface SectionProps {
  title: string;
  /** A short summary shown next to the title while closed (e.g. the current values). */
  summary?: ReactNode;
  /** Forces the section open (an error or invalid value inside). */
  attention?: boolean;
  /** Key under which the open state is remembered for the session. */
  id: string;
  children: ReactNode;
  testId?: string;
}

const remembered = (id: string): boolean => {
  try {
    return sessionStorage.getItem(`section:${id}`) === 'open';
  } catch {
    return false; // storage blocked: start closed
  }
};

export function Section({ title, summary, attention, id, children, testId }: SectionProps) {
  const [open, setOpen] = useState(() => remembered(id));
  useEffect(() => {
    if (attention) setOpen(true);
  }, [attention]);
  return (
    <details
      className="section"
      open={open}
      data-testid={testId}
      onToggle={(e) => {
        const now = e.currentTarget.open;
        setOpen(now);
        try {
          sessionStorage.setItem(`section:${id}`, now ? 'open' : 'closed');
        } catch {
          // storage blocked: the state just is not remembered
        }
      }}
    >
      <summary>
        <span className="section-title">{title}</span>
        {summary !== undefined && <span className="section-summary">{summary}</span>}
      </summary>
      <div className="section-body">{children}</div>
    </details>
  );
}
