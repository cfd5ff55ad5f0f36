/**
 * What the palette, the toolbar and the keyboard do to the journey, each one undoable step through the
 * editor slice: add a node, remove, copy and paste, select all, nudge, tidy up.
 */
import { useReactFlow } from '@xyflow/react';
import { useMemo } from 'react';
import { addBelow, addNode, clearSpot, copy, moveBy, paste, remove, tidy, type Clip, type NewNode } from '../../lib/edit.ts';
import { CARD_HEIGHT, CARD_WIDTH, type Point } from '../../lib/layout.ts';
import { initialViewport } from '../../lib/viewport.ts';
import { useStore } from '../../store/index.ts';

/** The clipboard: a copy of nodes, kept while the page is open, so they can be pasted into another journey. */
let clipboard: { clip: Clip; pasted: number } | null = null;
/** Each paste of the same copy lands a little further down and right, so copies do not stack unseen. */
const PASTE_STEP = 40;

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export function useCanvasActions() {
  const flow = useReactFlow();
  return useMemo(() => {
    const state = () => useStore.getState();
    const frame = () => document.querySelector<HTMLElement>('.canvas');

    /** The slot at the middle of what the canvas shows. */
    const viewCentre = (): Point => {
      const box = frame()?.getBoundingClientRect();
      if (!box) return { x: 0, y: 0 };
      const centre = flow.screenToFlowPosition({ x: box.left + box.width / 2, y: box.top + box.height / 2 });
      return { x: centre.x - CARD_WIDTH / 2, y: centre.y - CARD_HEIGHT / 2 };
    };

    /** Pans to a node when it is out of view, at the same zoom. */
    const reveal = (id: string) => {
      const at = state().editor?.current.layout[id];
      const box = frame()?.getBoundingClientRect();
      if (!at || !box) return;
      const { x, y, zoom } = flow.getViewport();
      const left = at.x * zoom + x;
      const top = at.y * zoom + y;
      if (left >= 0 && top >= 0 && left + CARD_WIDTH * zoom <= box.width && top + CARD_HEIGHT * zoom <= box.height) return;
      void flow.setCenter(at.x + CARD_WIDTH / 2, at.y + CARD_HEIGHT / 2, { zoom, duration: 200 });
    };

    return {
      viewCentre,
      reveal,

      /** Adds a node of a kind below the one selected node, connected, or alone at the view's centre or a point. */
      add(what: NewNode, label: string, at?: Point) {
        const editor = state().editor;
        if (!editor) return null;
        const from = !at && editor.selection.length === 1 ? editor.selection[0]! : null;
        let id: string | null = null;
        state().edit(`Add ${label}`, (s) => {
          const added = from ? addBelow(s, what, from, state().registry) : addNode(s, what, at ?? clearSpot(s.layout, viewCentre()));
          id = added.id;
          return added.snapshot;
        });
        if (id) {
          const added = id;
          state().select([added]);
          // After the side panel of the selection has taken its room from the canvas.
          window.requestAnimationFrame(() => reveal(added));
        }
        return id;
      },

      remove(nodeIds: readonly string[], arrowIds: readonly string[]) {
        if (nodeIds.length === 0 && arrowIds.length === 0) return;
        const what = nodeIds.length === 1 && arrowIds.length === 0 ? nodeIds[0]! : [nodeIds.length > 0 && plural(nodeIds.length, 'node'), arrowIds.length > 0 && plural(arrowIds.length, 'link')].filter(Boolean).join(' and ');
        state().edit(`Delete ${what}`, (s) => remove(s, nodeIds, arrowIds));
      },

      copy(ids: readonly string[]) {
        const editor = state().editor;
        if (!editor || ids.length === 0) return false;
        clipboard = { clip: copy(editor.current, ids), pasted: 0 };
        return true;
      },

      paste() {
        if (!clipboard || !state().editor) return;
        const step = ++clipboard.pasted * PASTE_STEP;
        let ids: string[] = [];
        const { clip } = clipboard;
        state().edit(`Paste ${plural(clip.nodes.length, 'node')}`, (s) => {
          const pasted = paste(s, clip, { x: step, y: step });
          ids = pasted.ids;
          return pasted.snapshot;
        });
        if (ids.length > 0) state().select(ids);
      },

      selectAll() {
        const editor = state().editor;
        if (editor) state().select(editor.current.draft.nodes.map((n) => n.id));
      },

      nudge(ids: readonly string[], dx: number, dy: number) {
        if (ids.length > 0) state().edit(`Move ${ids.length === 1 ? ids[0] : plural(ids.length, 'node')}`, (s) => moveBy(s, ids, dx, dy));
      },

      tidy() {
        state().edit('Tidy up', tidy);
        // Framed as the page first shows a journey: whole when that is legible, else its top at a legible
        // zoom (fitting a long journey shrank its cards past reading).
        window.requestAnimationFrame(() => {
          const box = frame()?.getBoundingClientRect();
          const layout = state().editor?.current.layout;
          if (!box || !layout) return;
          void flow.setViewport(initialViewport(Object.values(layout), { width: CARD_WIDTH, height: CARD_HEIGHT }, { width: box.width, height: box.height }), { duration: 200 });
        });
      },
    };
  }, [flow]);
}

export type CanvasActions = ReturnType<typeof useCanvasActions>;
