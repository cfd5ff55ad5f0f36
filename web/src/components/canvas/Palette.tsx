import { memo, type DragEvent } from 'react';
import type { NewNode } from '../../lib/edit.ts';
import { toneOf, type Registry, type Tone } from '../../lib/meta.ts';
import { useStore } from '../../store/index.ts';
import { Icon } from '../JourneyNode.tsx';
import type { CanvasActions } from './actions.ts';

/** What a palette item carries in a drag: only the canvas accepts it. */
export const PALETTE_MIME = 'application/x-waymark-node';

interface Item extends NewNode {
  label: string;
  description: string;
  tone: Tone;
}

const CATEGORY_TITLE: Record<string, string> = { entry: 'Start', message: 'Messages', timing: 'Timing', branching: 'Branches', profile: 'Profile', exit: 'End' };
/** The kinds the engine has, for a server that does not answer GET /v1/meta/nodes. */
const KNOWN_KINDS = ['entry', 'send', 'delay', 'wait', 'split', 'abSplit', 'updateProfile', 'exit'];

/** Every kind of the registry by category; a send once per channel ("SMS"); the entry only while there is none. */
export function paletteGroups(registry: Registry | null, hasEntry: boolean): { title: string; items: Item[] }[] {
  const kinds = registry?.nodes ?? KNOWN_KINDS.map((kind) => ({ kind, label: kind, category: kind === 'send' ? 'message' : kind, description: '' }));
  const groups = new Map<string, Item[]>();
  for (const meta of kinds) {
    if (meta.kind === 'entry' && hasEntry) continue;
    const tone = toneOf(meta.kind, registry);
    const channels = meta.kind === 'send' ? (registry?.channels ?? []) : [];
    const items: Item[] =
      channels.length > 0
        ? channels.map((c) => ({ kind: meta.kind, channel: c.name, label: c.label, description: `${meta.label} by ${c.label}`, tone }))
        : [{ kind: meta.kind, label: meta.label, description: meta.description, tone }];
    groups.set(meta.category, [...(groups.get(meta.category) ?? []), ...items]);
  }
  return [...groups].map(([category, items]) => ({ title: CATEGORY_TITLE[category] ?? category[0]!.toUpperCase() + category.slice(1), items }));
}

function onDragStart(event: DragEvent, item: Item) {
  event.dataTransfer.setData(PALETTE_MIME, JSON.stringify({ kind: item.kind, ...(item.channel ? { channel: item.channel } : {}) }));
  event.dataTransfer.effectAllowed = 'copy';
}

/**
 * The kinds of step, to drag onto the canvas; for the keyboard (and a click), each is a button that adds
 * the step below the selected one, connected, or at the middle of the view.
 */
export const Palette = memo(function Palette({ actions }: { actions: CanvasActions }) {
  const registry = useStore((s) => s.registry);
  const hasEntry = useStore((s) => !!s.editor?.current.draft.nodes.some((n) => n.kind === 'entry'));
  const below = useStore((s) => (s.editor?.selection.length === 1 ? s.editor.selection[0]! : null));
  const groups = paletteGroups(registry, hasEntry);
  return (
    <section className="palette" aria-labelledby="palette-title">
      <h2 id="palette-title">Add a step</h2>
      <p className="palette-hint">{below ? `Adds below “${below}”, connected. Or drag onto the canvas.` : 'Drag onto the canvas, or press to add in the middle of the view.'}</p>
      {groups.map((group) => (
        <div key={group.title} className="palette-group">
          <h3>{group.title}</h3>
          <ul>
            {group.items.map((item) => (
              <li key={`${item.kind}:${item.channel ?? ''}`}>
                <button
                  type="button"
                  className={`palette-item tone-${item.tone}`}
                  draggable
                  onDragStart={(event) => onDragStart(event, item)}
                  onClick={() => actions.add(item, item.label)}
                  aria-label={`Add ${item.label}`}
                  title={item.description}
                  data-kind={item.kind}
                  data-channel={item.channel}
                >
                  <span className="node-glyph">
                    <Icon tone={item.tone} />
                  </span>
                  {item.label}
                </button>
              </li>
            ))}
          </ul>
        </div>
      ))}
    </section>
  );
});
