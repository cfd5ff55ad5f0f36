/**
 * Text a field holds while someone types: shown at once, committed to the journey after a pause, on blur or
 * on Enter, so one burst of typing is one change to undo (not one per key). A change from elsewhere (undo,
 * another form) shows unless the field has typing of its own not yet committed.
 */
import { useCallback, useEffect, useRef, useState } from 'react';

const PAUSE_MS = 450;

export function useDraftText(value: string, commit: (text: string) => void, pause = PAUSE_MS) {
  const [text, setText] = useState(value);
  const latest = useRef({ text: value, pending: false, commit });
  latest.current.commit = commit;
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  useEffect(() => {
    if (!latest.current.pending) {
      latest.current.text = value;
      setText(value);
    }
  }, [value]);

  const flush = useCallback(() => {
    clearTimeout(timer.current);
    if (!latest.current.pending) return;
    latest.current.pending = false;
    latest.current.commit(latest.current.text);
  }, []);

  const change = useCallback(
    (next: string) => {
      latest.current.text = next;
      latest.current.pending = true;
      setText(next);
      clearTimeout(timer.current);
      timer.current = setTimeout(flush, pause);
    },
    [flush, pause],
  );

  // Typing not yet committed is committed when the field goes away (the panel closed, another node picked).
  useEffect(() => flush, [flush]);

  return { text, change, flush };
}
