/**
 * The journey being edited: a working copy of its draft and layout, an undo history of them, the selection,
 * the problems the server finds in the copy (checked as one edits), and saving it back as the draft.
 *
 * Every change goes through `edit(label, change)`: the change is a pure function of the snapshot (see
 * lib/edit.ts), so undo and redo are just the snapshots before and after. The canvas, the node forms, the
 * setup forms and the composer all edit through it; nothing else holds a copy of the draft.
 */
import { client, unwrap, type Definition, type Journey } from '../api/client.ts';
import type { Point } from '../lib/layout.ts';
import { problemsByNode, type Problem } from '../lib/problems.ts';
import { can } from '../lib/roles.ts';
import { kit, messageOf, type Slice } from './kit.ts';

export interface Snapshot {
  draft: Definition;
  layout: Record<string, Point>;
}

export type { Problem };

export interface Editor {
  journeyId: string;
  current: Snapshot;
  /** What the server holds: the copy is unsaved while it differs. */
  saved: Snapshot;
  past: { label: string; snapshot: Snapshot }[];
  future: { label: string; snapshot: Snapshot }[];
  selection: string[];
  /** Validation problems, or when there are none the publish checks (POST /v1/journeys/validate). */
  problems: Problem[];
  /** The draft the problems are about: their paths index its nodes and edges (the copy may have moved on). */
  checked: Definition | null;
  /** The problems are for an older copy, and a newer check is under way. */
  checking: boolean;
  saving: boolean;
  /** The snapshot before the drag under way: the one "Move" undoes to. */
  moveStart: Snapshot | null;
}

export interface EditorSlice {
  editor: Editor | null;
  /** Starts editing the journey's draft, unless it is being edited already (unsaved changes are kept). */
  openEditor(journey: Journey): void;
  closeEditor(): void;
  /** One undoable change. `label` says what it was ("Add SMS", "Move 3 nodes") for the undo button's title. */
  edit(label: string, change: (snapshot: Snapshot) => Snapshot): void;
  /** Positions move on every drag frame: they change the layout without a history entry per frame. */
  moveWithoutHistory(layout: Record<string, Point>): void;
  undo(): void;
  redo(): void;
  select(ids: string[]): void;
  /** PUT the copy as the draft; true when saved. */
  saveDraft(): Promise<boolean>;
}

/** Enough to undo a long session; each entry is one snapshot of a journey, a few kB. */
const HISTORY_LIMIT = 200;
/** Checks wait for a pause in typing: one request per burst of edits, not per key. */
const CHECK_DELAY_MS = 300;

export const editorSlice: Slice<EditorSlice> = (set, get) => {
  const { guarded } = kit(set, get);
  let checkTimer: ReturnType<typeof setTimeout> | undefined;
  let checkRun = 0;

  const update = (change: (editor: Editor) => Partial<Editor>) => {
    const editor = get().editor;
    if (editor) set({ editor: { ...editor, ...change(editor) } });
  };

  /** Ask the server what is wrong with the copy; only the newest answer is kept. Not for a role that cannot edit: the check is an editor's route. */
  const scheduleCheck = () => {
    clearTimeout(checkTimer);
    if (!can(get().role, 'edit')) return;
    update(() => ({ checking: true }));
    checkTimer = setTimeout(async () => {
      const editor = get().editor;
      if (!editor) return;
      const run = ++checkRun;
      try {
        const body = { definition: editor.current.draft, id: editor.journeyId };
        const result = await guarded(() => unwrap(client.POST('/v1/journeys/validate', { body })));
        const local = (path: string) => path.replace(/^\/definition/, '') || '/';
        const problems: Problem[] = [
          ...result.problems.map(({ path, message }) => ({ path: local(path), message, source: 'validation' as const, severity: 'error' as const })),
          ...(result.checks ?? []).map(({ path, message, severity }) => ({ path: local(path), message, source: 'publish' as const, severity })),
        ];
        if (run === checkRun) update(() => ({ problems, checked: body.definition, checking: false }));
      } catch {
        if (run === checkRun) update(() => ({ checking: false }));
      }
    }, CHECK_DELAY_MS);
  };

  return {
    editor: null,

    openEditor(journey) {
      if (get().editor?.journeyId === journey.id) return;
      const snapshot: Snapshot = { draft: journey.draft as Definition, layout: (journey.layout ?? {}) as Record<string, Point> };
      set({ editor: { journeyId: journey.id, current: snapshot, saved: snapshot, past: [], future: [], selection: [], problems: [], checked: null, checking: false, saving: false, moveStart: null } });
      scheduleCheck();
    },

    closeEditor() {
      clearTimeout(checkTimer);
      set({ editor: null });
    },

    edit(label, change) {
      const editor = get().editor;
      if (!editor) return;
      const next = change(editor.current);
      // After a drag, the entry undoes to where the nodes were before it, not to its last frame.
      const before = editor.moveStart ?? editor.current;
      if (next === before) return update(() => ({ current: next, moveStart: null }));
      update((e) => ({ current: next, past: [...e.past, { label, snapshot: before }].slice(-HISTORY_LIMIT), future: [], moveStart: null, selection: within(e.selection, next) }));
      // Positions are not the server's business: only a change of the definition is checked again.
      if (next.draft !== before.draft) scheduleCheck();
    },

    moveWithoutHistory(layout) {
      update((e) => ({ current: { ...e.current, layout }, moveStart: e.moveStart ?? e.current }));
    },

    undo() {
      const editor = get().editor;
      const last = editor?.past.at(-1);
      if (!editor || !last) return;
      update((e) => ({ current: last.snapshot, past: e.past.slice(0, -1), future: [{ label: last.label, snapshot: e.current }, ...e.future], moveStart: null, selection: within(e.selection, last.snapshot) }));
      scheduleCheck();
    },

    redo() {
      const editor = get().editor;
      const next = editor?.future[0];
      if (!editor || !next) return;
      update((e) => ({ current: next.snapshot, future: e.future.slice(1), past: [...e.past, { label: next.label, snapshot: e.current }], moveStart: null, selection: within(e.selection, next.snapshot) }));
      scheduleCheck();
    },

    select(ids) {
      update(() => ({ selection: ids }));
    },

    async saveDraft() {
      const editor = get().editor;
      if (!editor || editor.saving) return false;
      const sent = editor.current;
      update(() => ({ saving: true }));
      try {
        await guarded(() => unwrap(client.PUT('/v1/journeys/{id}', { params: { path: { id: editor.journeyId } }, body: { definition: sent.draft, layout: sent.layout } })));
        update(() => ({ saved: sent, saving: false }));
        set({ notice: { tone: 'success', text: 'Draft saved.' } });
        return true;
      } catch (error) {
        update(() => ({ saving: false }));
        set({ notice: { tone: 'error', text: messageOf(error) } });
        return false;
      }
    },
  };
};

/** The selection without the nodes a change took away (the same array when it took none). */
function within(selection: string[], snapshot: Snapshot): string[] {
  const ids = new Set(snapshot.draft.nodes.map((n) => n.id));
  return selection.every((id) => ids.has(id)) ? selection : selection.filter((id) => ids.has(id));
}

/** Whether the copy differs from what the server holds. */
export function isDirty(editor: Editor | null): boolean {
  return !!editor && editor.current !== editor.saved && JSON.stringify(editor.current) !== JSON.stringify(editor.saved);
}

/** The problems of one node: those whose path names it (see problemsByNode in lib/problems.ts). */
export function problemsOfNode(editor: Editor, nodeId: string): Problem[] {
  return problemsByNode(editor).get(nodeId) ?? [];
}
