/**
 * The canvas's keyboard: Delete/Backspace, Ctrl/Cmd+Z, Ctrl/Cmd+Shift+Z or Ctrl+Y, Ctrl/Cmd+C/X/V,
 * Ctrl/Cmd+A, Ctrl/Cmd+S, the arrow keys (Shift: further), Enter on a focused node or link, Delete on a
 * focused link, Escape. Only while the
 * focus is in the editor (or nowhere), and never while typing: a field's own keys stay its own.
 */
import { useEffect, type RefObject } from 'react';
import { useStore } from '../../store/index.ts';
import type { CanvasActions } from './actions.ts';

const NUDGE = 10;
const NUDGE_FAR = 50;
const ARROWS: Record<string, [number, number]> = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };

function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}

export function useCanvasKeys(frame: RefObject<HTMLElement | null>, selectedArrows: readonly string[], setArrows: (ids: string[]) => void, actions: CanvasActions, readOnly: boolean) {
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.defaultPrevented || isTyping(event.target)) return;
      const active = document.activeElement;
      const editorArea = frame.current?.closest('.editor');
      if (!(active === document.body || (active && editorArea?.contains(active)))) return;
      // In the side panel, or a dialog over the editor (the journey settings), only the history and save keys
      // apply: Delete there is not about the canvas, and Escape closes the dialog.
      const inPanel = !!(active instanceof HTMLElement && active.closest('.editor-side, dialog'));
      const { editor, undo, redo, saveDraft, select } = useStore.getState();
      const focusedArrow = active instanceof Element ? active.closest('.react-flow__edge')?.getAttribute('data-id') : null;
      if (!editor) return;
      const mod = event.ctrlKey || event.metaKey;
      const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
      const run = (action: () => void) => {
        event.preventDefault();
        action();
      };

      if (mod && key === 'z' && !readOnly) return run(event.shiftKey ? redo : undo);
      if (mod && key === 'y' && !readOnly) return run(redo);
      if (mod && key === 's' && !readOnly) return run(() => void saveDraft());
      if (inPanel) return;
      if (mod && key === 'a') return run(actions.selectAll);
      if (mod && key === 'c' && editor.selection.length > 0) return run(() => actions.copy(editor.selection));
      if (!mod && key === 'Enter' && active instanceof HTMLElement) {
        const id = active.closest<HTMLElement>('.react-flow__node')?.dataset.id;
        if (id) return run(() => select([id]));
      }
      if (!mod && key === 'Enter' && focusedArrow) {
        return run(() => {
          select([]);
          setArrows([focusedArrow]);
        });
      }
      if (!mod && key === 'Escape' && (editor.selection.length > 0 || selectedArrows.length > 0)) {
        return run(() => {
          select([]);
          setArrows([]);
        });
      }
      if (readOnly) return;
      if (mod && key === 'x' && editor.selection.length > 0) return run(() => actions.copy(editor.selection) && actions.remove(editor.selection, []));
      if (mod && key === 'v') return run(actions.paste);
      if (mod || event.altKey) return;
      if (key === 'Delete' || key === 'Backspace') {
        const arrows = focusedArrow && !selectedArrows.includes(focusedArrow) ? [...selectedArrows, focusedArrow] : selectedArrows;
        if (editor.selection.length === 0 && arrows.length === 0) return;
        return run(() => {
          actions.remove(editor.selection, arrows);
          setArrows([]);
        });
      }
      const arrow = ARROWS[key];
      if (arrow && editor.selection.length > 0) {
        const step = event.shiftKey ? NUDGE_FAR : NUDGE;
        return run(() => actions.nudge(editor.selection, arrow[0] * step, arrow[1] * step));
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [frame, selectedArrows, setArrows, actions, readOnly]);
}
