import type { ReactNode } from 'react';
import { NoticeBar } from './NoticeBar.tsx';
import { useTitle } from './useTitle.ts';
import '../styles/pages.css';

/**
 * The frame of a page of forms and tables (Keys, Team, Settings): its heading (and the tab's title), a line
 * under it, the one notice, and the error of reading the page's data.
 */
export function Page({ title, heading = title, lead, error, children }: { title: string; heading?: string; lead: ReactNode; error: string | null; children: ReactNode }) {
  useTitle(title);
  return (
    <main className="page narrow-page">
      <div className="page-head">
        <div>
          <h1>{heading}</h1>
          <p className="muted">{lead}</p>
        </div>
      </div>
      <NoticeBar />
      {error && (
        <p className="notice notice-error" role="alert">
          {error}
        </p>
      )}
      {children}
    </main>
  );
}
