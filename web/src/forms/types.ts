/** What every node form gets, and the one way the forms change the journey: the editor slice's `edit`. */
import { useCallback } from 'react';
import type { Definition } from '../api/client.ts';
import type { Draft, DraftNode } from '../lib/draft.ts';
import { replaceNode } from '../lib/draft.ts';
import { useStore } from '../store/index.ts';

export interface NodeFormProps {
  node: DraftNode;
  /** The node's JSON pointer: "/nodes/3"; its fields' problems are under it. */
  path: string;
  /** The whole definition, for forms that read other nodes (a split's earlier sends). */
  draft: Draft;
  /**
   * One undoable change of this node, from the node as it is then (not as this render saw it: a commit on
   * blur may land after another change); `label` names it for the undo button.
   */
  change: (label: string, update: (node: DraftNode) => DraftNode) => void;
  /** One undoable change of the definition, for what goes beyond the node (an A/B variant's edge). */
  editDraft: (label: string, change: (draft: Draft) => Draft) => void;
}

/**
 * `edit` over the definition alone. The forms' changes are typed on the structural Draft (lib/draft.ts);
 * the editor holds the generated Definition, the same JSON. A change that leaves the JSON as it was (a field
 * committed unchanged) is no change, so it leaves no undo step.
 */
export function useDraftEdit(): (label: string, change: (draft: Draft) => Draft) => void {
  const edit = useStore((s) => s.edit);
  return useCallback(
    (label, change) =>
      edit(label, (snapshot) => {
        const before = snapshot.draft as unknown as Draft;
        const after = change(before);
        if (after === before || JSON.stringify(after) === JSON.stringify(before)) return snapshot;
        return { ...snapshot, draft: after as unknown as Definition };
      }),
    [edit],
  );
}

/** The props a node form needs, for the node `nodeId` of the journey being edited. */
export function useNodeForm(nodeId: string): NodeFormProps | null {
  const draft = useStore((s) => s.editor?.current.draft) as unknown as Draft | undefined;
  const editDraft = useDraftEdit();
  const change = useCallback(
    (label: string, update: (node: DraftNode) => DraftNode) =>
      editDraft(label, (d) => {
        const node = d.nodes.find((n) => n.id === nodeId);
        return node ? replaceNode(d, nodeId, update(node)) : d;
      }),
    [editDraft, nodeId],
  );
  if (!draft) return null;
  const index = draft.nodes.findIndex((n) => n.id === nodeId);
  if (index < 0) return null;
  return { node: draft.nodes[index]!, path: `/nodes/${index}`, draft, change, editDraft };
}
