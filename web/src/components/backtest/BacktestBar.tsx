import { useState } from 'react';
import { useStore } from '../../store/index.ts';
import '../../styles/backtest.css';

export const MIN_DAYS = 1;
export const MAX_DAYS = 90;

/**
 * Backtest: replay the editor's working copy over the project's recorded events of the last N days, on the
 * server's virtual clock, before publishing. While it runs the button is off and says so; then its figures
 * go on the cards (striped), and BacktestSummary shows its summary, legend and "Clear".
 */
export function BacktestBar({ journeyId }: { journeyId: string }) {
  const draft = useStore((s) => (s.editor?.journeyId === journeyId ? s.editor.current.draft : null));
  const backtest = useStore((s) => (s.backtest?.journeyId === journeyId ? s.backtest : null));
  const runBacktest = useStore((s) => s.runBacktest);
  const [days, setDays] = useState('7');
  const n = Number(days);
  const valid = Number.isInteger(n) && n >= MIN_DAYS && n <= MAX_DAYS;
  const running = backtest?.running ?? false;

  return (
    <div className="backtest-bar">
      <form
        className="backtest-form"
        aria-label="Backtest"
        onSubmit={(event) => {
          event.preventDefault();
          if (valid && draft && !running) void runBacktest(journeyId, n, draft);
        }}
      >
        <span className="backtest-title" aria-hidden="true">
          <FlaskIcon />
          Backtest
        </span>
        <label className="backtest-days">
          <span>Replay the last</span>
          <input
            type="number"
            inputMode="numeric"
            min={MIN_DAYS}
            max={MAX_DAYS}
            step={1}
            value={days}
            onChange={(event) => setDays(event.target.value)}
            aria-invalid={!valid || undefined}
            aria-describedby={valid ? undefined : 'backtest-days-error'}
            disabled={running}
          />
          <span>days of events through this copy</span>
        </label>
        <button type="submit" className="button small primary" disabled={!valid || !draft || running} aria-describedby="backtest-what">
          {running ? `Replaying ${backtest!.days} ${backtest!.days === 1 ? 'day' : 'days'}…` : 'Run backtest'}
        </button>
        <span id="backtest-what" className="backtest-what">
          Unsaved edits included; nothing is sent.
        </span>
        {!valid && (
          <span id="backtest-days-error" className="field-error" role="alert">
            From {MIN_DAYS} to {MAX_DAYS} days.
          </span>
        )}
      </form>
      <div role="status" className="backtest-status">
        {running && (
          <span className="backtest-running">
            <span className="spinner" aria-hidden="true" />
            Replaying {backtest!.days} {backtest!.days === 1 ? 'day' : 'days'} of events on a virtual clock…
          </span>
        )}
        {backtest?.error && <span className="backtest-error">{backtest.error}</span>}
      </div>
    </div>
  );
}

export function FlaskIcon() {
  return (
    <svg width="16" height="16" viewBox="0 0 16 16" fill="none" stroke="currentColor" strokeWidth="1.5" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true" focusable="false">
      <path d="M6 2.5h4 M6.8 2.5v4L3 12.6c-.5.8.1 1.9 1 1.9h8c.9 0 1.5-1.1 1-1.9L9.2 6.5v-4 M4.6 10h6.8" />
    </svg>
  );
}
