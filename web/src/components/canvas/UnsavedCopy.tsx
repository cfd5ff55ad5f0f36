import { useEffect, useState } from 'react';
import { formatAgo } from '../../lib/format.ts';
import { clearStash, readStash, writeStash, type Stashed } from '../../lib/stash.ts';
import { isDirty, type Editor, type Snapshot } from '../../store/editor.ts';
import { useStore } from '../../store/index.ts';

/** How long the copy rests before it is written to storage: once per pause, not per keystroke or frame. */
const WRITE_DELAY_MS = 400;
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Keeps the unsaved copy of the journey in the browser's storage, under its project, offers it back after a
 * reload (restore or discard), and asks before the page is left with changes unsaved.
 */
export function UnsavedCopy({ journeyId }: { journeyId: string }) {
  const project = useStore((s) => s.project);
  const [offer, setOffer] = useState<Stashed | null>(null);
  const [decided, setDecided] = useState(false);

  useEffect(() => {
    setDecided(false);
    const editor = useStore.getState().editor;
    const stashed = readStash(localStorage, { project, journeyId });
    if (editor && stashed && !same(stashed.snapshot, editor.current) && !same(stashed.snapshot, editor.saved)) {
      setOffer(stashed);
      return;
    }
    setOffer(null);
    setDecided(true);
  }, [project, journeyId]);

  // Until the offer is answered the stash stays as it is: writing the fresh copy over it would lose it.
  useEffect(() => {
    if (!decided) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const of = { project, journeyId };
    const write = (editor: Editor | null = useStore.getState().editor) => {
      if (!editor || editor.journeyId !== journeyId || editor.moveStart) return;
      if (isDirty(editor)) writeStash(localStorage, of, editor.current, Date.now());
      else clearStash(localStorage, of);
    };
    const stop = useStore.subscribe((s, prev) => {
      // A switch of project takes the copy out of the store: it is kept now, under the project it belongs to.
      if (s.project !== prev.project) {
        clearTimeout(timer);
        return write(prev.editor);
      }
      if (s.editor?.current === prev.editor?.current && s.editor?.saved === prev.editor?.saved) return;
      clearTimeout(timer);
      timer = setTimeout(write, WRITE_DELAY_MS);
    });
    // Leaving (a reload, a closed tab) writes at once: the last change may be younger than the delay.
    const flush = () => {
      clearTimeout(timer);
      write();
    };
    window.addEventListener('pagehide', flush);
    write();
    return () => {
      stop();
      window.removeEventListener('pagehide', flush);
      flush();
    };
  }, [decided, project, journeyId]);

  useEffect(() => {
    const warn = (event: BeforeUnloadEvent) => {
      if (!isDirty(useStore.getState().editor)) return;
      event.preventDefault();
      event.returnValue = '';
    };
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, []);

  if (!offer) return null;
  return (
    <div className="notice restore-offer" role="status">
      <span>This browser kept unsaved changes to this journey {formatAgo(offer.at, Date.now())}.</span>
      <span className="restore-actions">
        <button
          type="button"
          className="button small primary"
          onClick={() => {
            useStore.getState().edit('Restore unsaved changes', () => offer.snapshot as Snapshot);
            setOffer(null);
            setDecided(true);
          }}
        >
          Restore them
        </button>
        <button
          type="button"
          className="button small"
          onClick={() => {
            clearStash(localStorage, { project, journeyId });
            setOffer(null);
            setDecided(true);
          }}
        >
          Discard
        </button>
      </span>
    </div>
  );
}
