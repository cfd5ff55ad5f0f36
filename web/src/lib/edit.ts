/**
 * The canvas's edits, as pure functions of a snapshot (the draft and its layout) to the next: the editor
 * slice keeps the snapshots before and after for undo. Each keeps the JSON as people write it: an edge on
 * the single way out ("next") has no `branch`, node ids are readable ("sms-2"), nothing is added that the
 * user did not draw. A function that changes nothing returns the snapshot it was given.
 */
import { arrowId, branchesOf, NEXT, type DefinitionEdge, type DefinitionLike, type DefinitionNode } from './graph.ts';
import { autoLayout, CARD_HEIGHT, CARD_WIDTH, COLUMN, ROW, type Point } from './layout.ts';
import type { Registry } from './meta.ts';

/** What the palette adds: a kind, and for a send the channel. */
export interface NewNode {
  kind: string;
  channel?: string;
}

/** Copied nodes, the edges between them, and where they were. */
export interface Clip {
  nodes: DefinitionNode[];
  edges: DefinitionEdge[];
  layout: Record<string, Point>;
}

const MAX_ID = 64;

/**
 * What these functions read of the editor's snapshot (store/editor.ts): a draft and its positions. Each
 * returns the same type it is given, so the editor gets its own Snapshot back.
 */
export interface Shot {
  draft: object;
  layout: Record<string, Point>;
}

const defOf = (s: Shot) => s.draft as DefinitionLike;
const withDef = <S extends Shot>(s: S, draft: DefinitionLike, layout = s.layout): S => ({ ...s, draft, layout });

/** "sms", "delay", "ab-split": what a new node's id starts with. */
export function idBase({ kind, channel }: NewNode): string {
  const base = kind === 'send' && channel ? channel : kind.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
  return base.replace(/[^A-Za-z0-9_-]+/g, '-').slice(0, MAX_ID - 4) || 'node';
}

/** The first of base-1, base-2, ... (from `start`) that no node has. */
export function freshId(taken: ReadonlySet<string>, base: string, start = 1): string {
  for (let n = start; ; n++) {
    const id = `${base}-${n}`;
    if (!taken.has(id)) return id;
  }
}

/**
 * A new node of a kind with what it needs to start from: settings with one obvious choice are filled in (a
 * one-day delay, an even A/B split); what only the user can say (a message, an event) is left for the node's
 * form, and the server's checks point at it until it is given.
 */
export function starterNode(id: string, { kind, channel }: NewNode): DefinitionNode {
  switch (kind) {
    case 'entry':
      return { id, kind, trigger: { type: 'action', event: '' } };
    case 'send':
      return { id, kind, channel: channel ?? 'email', message: {} };
    case 'delay':
      return { id, kind, duration: '1d' };
    case 'wait':
      return { id, kind, event: '', timeout: '1d' };
    case 'split':
      return { id, kind, where: [] };
    case 'abSplit':
      return {
        id,
        kind,
        variants: [
          { name: 'A', percent: 50 },
          { name: 'B', percent: 50 },
        ],
      };
    case 'updateProfile':
      return { id, kind, set: {} };
    default:
      return { id, kind };
  }
}

export function hasEntry(s: Shot): boolean {
  return defOf(s).nodes.some((n) => n.kind === 'entry');
}

/** Adds a node at a point (its slot's top-left); a second entry is refused (a journey has one). */
export function addNode<S extends Shot>(s: S, what: NewNode, at: Point): { snapshot: S; id: string | null } {
  if (what.kind === 'entry' && hasEntry(s)) return { snapshot: s, id: null };
  const def = defOf(s);
  const id = freshId(new Set(def.nodes.map((n) => n.id)), idBase(what));
  const snapshot = withDef(s, { ...def, nodes: [...def.nodes, starterNode(id, what)] }, { ...s.layout, [id]: round(at) });
  return { snapshot, id };
}

/**
 * Adds a node below another, connected: to the other's first required way out that has no edge yet, side by
 * side with its siblings; or, when every way is taken, into its first way (from -> new -> what followed),
 * the nodes after it moving down a row to make room. A new node with no way out (an exit) goes on a free way
 * or stands alone.
 */
export function addBelow<S extends Shot>(s: S, what: NewNode, fromId: string, registry: Registry | null): { snapshot: S; id: string | null } {
  const def = defOf(s);
  const from = def.nodes.find((n) => n.id === fromId);
  const origin = s.layout[fromId];
  if (!from || !origin) return { snapshot: s, id: null };
  const ways = branchesOf(from, registry);
  const taken = new Set(def.edges.filter((e) => e.from === fromId).map((e) => e.branch ?? NEXT));
  const free = ways.findIndex((b) => !b.optional && !taken.has(b.name));
  const spread = (i: number) => (i - (ways.filter((b) => !b.optional).length - 1) / 2) * COLUMN;
  if (free >= 0) {
    const added = addNode(s, what, clearSpot(s.layout, { x: origin.x + spread(free), y: origin.y + ROW }));
    if (!added.id) return added;
    return { snapshot: connect(added.snapshot, fromId, ways[free]!.name, added.id), id: added.id };
  }
  const first = ways[0];
  const next = first && def.edges.find((e) => e.from === fromId && (e.branch ?? NEXT) === first.name);
  const added = addNode(s, what, { x: origin.x, y: origin.y + ROW });
  if (!added.id || !first || !next) return added;
  const newWays = branchesOf(defOf(added.snapshot).nodes.at(-1)!, registry);
  if (newWays.length === 0) return added;
  let snapshot = connect(added.snapshot, fromId, first.name, added.id);
  snapshot = connect(snapshot, added.id, newWays[0]!.name, next.to);
  return { snapshot: makeRoom(snapshot, added.id), id: added.id };
}

/** The point, or the first one to its right that no card covers. */
export function clearSpot(layout: Record<string, Point>, p: Point): Point {
  let x = p.x;
  while (Object.values(layout).some((q) => overlap(q, { x, y: p.y }))) x += COLUMN / 2;
  return { x, y: p.y };
}

const overlap = (a: Point, b: Point) => Math.abs(a.x - b.x) < CARD_WIDTH && Math.abs(a.y - b.y) < CARD_HEIGHT;

/** When a node lands on another, everything after it moves down a row. */
function makeRoom<S extends Shot>(s: S, id: string): S {
  const at = s.layout[id]!;
  const overlaps = Object.entries(s.layout).some(([other, p]) => other !== id && overlap(p, at));
  if (!overlaps) return s;
  const after = downstream(defOf(s), id);
  const layout = { ...s.layout };
  for (const other of after) if (layout[other]) layout[other] = { x: layout[other].x, y: layout[other].y + ROW };
  return { ...s, layout };
}

/** Every node reachable from `id`, not counting itself. */
function downstream(def: DefinitionLike, id: string): Set<string> {
  const seen = new Set<string>();
  const queue = [id];
  while (queue.length > 0) {
    const at = queue.shift()!;
    for (const e of def.edges) {
      if (e.from !== at || e.to === id || seen.has(e.to)) continue;
      seen.add(e.to);
      queue.push(e.to);
    }
  }
  return seen;
}

/** Draws the branch of `from` to `to`, replacing the edge that branch had (each way out leads to one place). */
export function connect<S extends Shot>(s: S, from: string, branch: string, to: string): S {
  const def = defOf(s);
  if (!def.nodes.some((n) => n.id === from) || !def.nodes.some((n) => n.id === to)) return s;
  const edge: DefinitionEdge = branch === NEXT ? { from, to } : { from, to, branch };
  const old = def.edges.findIndex((e) => e.from === from && (e.branch ?? NEXT) === branch);
  if (old >= 0 && def.edges[old]!.to === to) return s;
  const edges = old >= 0 ? def.edges.map((e, i) => (i === old ? edge : e)) : [...def.edges, edge];
  return withDef(s, { ...def, edges });
}

/** Removes nodes (with their edges and positions) and edges, by node id and arrow id (see arrowId). */
export function remove<S extends Shot>(s: S, nodeIds: Iterable<string>, arrowIds: Iterable<string> = []): S {
  const def = defOf(s);
  const nodes = new Set(nodeIds);
  const arrows = new Set(arrowIds);
  const keptNodes = def.nodes.filter((n) => !nodes.has(n.id));
  const keptEdges = def.edges.filter((e) => !nodes.has(e.from) && !nodes.has(e.to) && !arrows.has(arrowId(e)));
  if (keptNodes.length === def.nodes.length && keptEdges.length === def.edges.length) return s;
  const layout = Object.fromEntries(Object.entries(s.layout).filter(([id]) => !nodes.has(id)));
  return withDef(s, { ...def, nodes: keptNodes, edges: keptEdges }, layout);
}

/** Moves nodes by dx, dy (the arrow keys' nudge). */
export function moveBy<S extends Shot>(s: S, ids: Iterable<string>, dx: number, dy: number): S {
  const layout = { ...s.layout };
  let moved = false;
  for (const id of ids) {
    const p = layout[id];
    if (!p) continue;
    layout[id] = { x: p.x + dx, y: p.y + dy };
    moved = true;
  }
  return moved ? { ...s, layout } : s;
}

/** The selected nodes, the edges among them and their positions, to paste later. */
export function copy(s: Shot, ids: Iterable<string>): Clip {
  const def = defOf(s);
  const chosen = new Set(ids);
  const nodes = def.nodes.filter((n) => chosen.has(n.id));
  return {
    nodes: structuredClone(nodes),
    edges: def.edges.filter((e) => chosen.has(e.from) && chosen.has(e.to)).map((e) => ({ ...e })),
    layout: Object.fromEntries(nodes.filter((n) => s.layout[n.id]).map((n) => [n.id, { ...s.layout[n.id]! }])),
  };
}

/**
 * Adds a copy of a clip, moved by `offset`: fresh ids ("sms-1" copies as "sms-2"), its internal edges
 * re-pointed. An entry is left out when the journey has one. Returns the new ids, in the clip's order.
 */
export function paste<S extends Shot>(s: S, clip: Clip, offset: Point): { snapshot: S; ids: string[] } {
  const def = defOf(s);
  const taken = new Set(def.nodes.map((n) => n.id));
  const entry = def.nodes.some((n) => n.kind === 'entry');
  const renamed = new Map<string, string>();
  const nodes: DefinitionNode[] = [];
  const layout = { ...s.layout };
  for (const node of clip.nodes) {
    if (node.kind === 'entry' && entry) continue;
    const id = freshId(taken, node.id.replace(/-\d+$/, '').slice(0, MAX_ID - 4) || 'node', 2);
    taken.add(id);
    renamed.set(node.id, id);
    nodes.push({ ...structuredClone(node), id });
    const p = clip.layout[node.id] ?? { x: 0, y: 0 };
    layout[id] = round({ x: p.x + offset.x, y: p.y + offset.y });
  }
  if (nodes.length === 0) return { snapshot: s, ids: [] };
  const edges = clip.edges
    .filter((e) => renamed.has(e.from) && renamed.has(e.to))
    .map((e) => ({ ...e, from: renamed.get(e.from)!, to: renamed.get(e.to)! }));
  return { snapshot: withDef(s, { ...def, nodes: [...def.nodes, ...nodes], edges: [...def.edges, ...edges] }, layout), ids: nodes.map((n) => n.id) };
}

/** Renames a node, its edges and its position with it; refused (unchanged) when the id is taken. */
export function renameNode<S extends Shot>(s: S, from: string, to: string): S {
  const def = defOf(s);
  if (from === to || def.nodes.some((n) => n.id === to) || !def.nodes.some((n) => n.id === from)) return s;
  const swap = (id: string) => (id === from ? to : id);
  const { [from]: at, ...layout } = s.layout;
  return withDef(
    s,
    { ...def, nodes: def.nodes.map((n) => (n.id === from ? { ...n, id: to } : n)), edges: def.edges.map((e) => (e.from === from || e.to === from ? { ...e, from: swap(e.from), to: swap(e.to) } : e)) },
    at ? { ...layout, [to]: at } : layout,
  );
}

/** Every node laid out afresh, top to bottom. */
export function tidy<S extends Shot>(s: S): S {
  return { ...s, layout: autoLayout(defOf(s)) };
}

function round(p: Point): Point {
  return { x: Math.round(p.x), y: Math.round(p.y) };
}

/** Most variants an A/B split takes (its schema's maxItems). */
export const MAX_AB_VARIANTS = 7;

/**
 * Turns a send node into an A/B test of its message: an A/B split takes its place (every edge into the send
 * now leads to the split), with one branch per message, each to a send node holding that message; each of
 * those leads where the send led (its next, and its unreachable way if it had one). The first variant keeps
 * the send's id, so its history and anything naming it stay. Even percentages, the remainder to the first.
 */
export function splitIntoVariants<S extends Shot>(s: S, sendId: string, messages: ReadonlyArray<Record<string, string>>): { snapshot: S; splitId: string | null } {
  const def = defOf(s);
  const send = def.nodes.find((n) => n.id === sendId);
  if (!send || send.kind !== 'send' || messages.length < 2 || messages.length > MAX_AB_VARIANTS) return { snapshot: s, splitId: null };
  const taken = new Set(def.nodes.map((n) => n.id));
  const splitId = freshId(taken, 'ab-split');
  taken.add(splitId);
  const names = messages.map((_, i) => String.fromCharCode(65 + i)); // A, B, C, ...
  const even = Math.floor(100 / messages.length);
  const variants = names.map((name, i) => ({ name, percent: even + (i === 0 ? 100 - even * messages.length : 0) }));
  const base = idBase({ kind: 'send', channel: typeof send.channel === 'string' ? send.channel : undefined });
  const sendIds = messages.map((_, i) => {
    if (i === 0) return sendId;
    const id = freshId(taken, base);
    taken.add(id);
    return id;
  });
  const sends = messages.map((message, i) => ({ ...structuredClone(send), id: sendIds[i]!, message: { ...message } }));
  const outs = def.edges.filter((e) => e.from === sendId);
  const edges = [
    ...def.edges.filter((e) => e.from !== sendId).map((e) => (e.to === sendId ? { ...e, to: splitId } : e)),
    ...names.map((name, i) => ({ from: splitId, to: sendIds[i]!, branch: name })),
    ...sendIds.flatMap((id) => outs.map((e) => ({ ...e, from: id }))),
  ];
  const nodes = [...def.nodes.filter((n) => n.id !== sendId), { id: splitId, kind: 'abSplit', variants }, ...sends];
  const at = s.layout[sendId] ?? { x: 0, y: 0 };
  const layout: Record<string, Point> = { ...s.layout, [splitId]: at };
  sendIds.forEach((id, i) => {
    layout[id] = round({ x: at.x + (i - (sendIds.length - 1) / 2) * COLUMN, y: at.y + ROW });
  });
  // What followed moves down a row to make room.
  let snapshot = withDef(s, { ...def, nodes, edges }, layout);
  const after = new Set<string>();
  for (const id of sendIds) for (const d of downstream(defOf(snapshot), id)) after.add(d);
  for (const id of sendIds) after.delete(id);
  after.delete(splitId);
  const moved = { ...snapshot.layout };
  for (const id of after) if (moved[id]) moved[id] = { x: moved[id].x, y: moved[id].y + ROW };
  snapshot = { ...snapshot, layout: moved };
  return { snapshot, splitId };
}
