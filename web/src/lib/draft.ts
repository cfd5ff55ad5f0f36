/**
 * The forms' changes to a journey definition, as pure functions from one definition to the next: what the
 * editor slice's `edit` applies (so undo and redo work). They write exactly the definition's JSON fields
 * (docs/journeys.md): a field cleared in a form is removed, never left as "" or null, and nothing is added
 * that the form did not set. Structural types, so this is tested without a build.
 */

export type Scalar = string | number | boolean;
export type FilterOp = '=' | '!=' | '<' | '<=' | '>' | '>=' | 'contains' | 'in' | 'exists';

export interface Filter {
  property: string;
  op: FilterOp;
  value?: Scalar | Scalar[];
}

export interface DraftNode {
  id: string;
  kind: string;
  [field: string]: unknown;
}

export interface DraftEdge {
  from: string;
  to: string;
  branch?: string;
}

export interface Goal {
  id: string;
  event: string;
  where?: Filter[];
  exitOnGoal?: boolean;
  within?: string;
}

export interface Draft {
  name: string;
  description?: string;
  setup?: Record<string, unknown>;
  goals?: Goal[];
  nodes: DraftNode[];
  edges: DraftEdge[];
}

/** `object` with `key` set to `value`, or without `key` when `value` is undefined; the other keys keep their order. */
export function withField<T extends object>(object: T, key: string, value: unknown): T {
  const current = (object as Record<string, unknown>)[key];
  if (value === current && (value !== undefined || !(key in object))) return object;
  if (value !== undefined) return { ...object, [key]: value };
  const { [key]: _, ...rest } = object as Record<string, unknown>;
  return rest as T;
}

/** The definition with node `id` replaced, in place in the list. */
export function replaceNode(draft: Draft, id: string, node: DraftNode): Draft {
  const index = draft.nodes.findIndex((n) => n.id === id);
  if (index < 0 || draft.nodes[index] === node) return draft;
  return { ...draft, nodes: draft.nodes.map((n, i) => (i === index ? node : n)) };
}

/** A top-level field: name or description. An empty description is removed. */
export function setDefinitionField(draft: Draft, key: 'name' | 'description', value: string): Draft {
  return withField(draft, key, key === 'description' && value === '' ? undefined : value);
}

/** One field of `setup`; a setup left empty is removed. */
export function setSetup(draft: Draft, key: string, value: unknown): Draft {
  const setup = withField(draft.setup ?? {}, key, value);
  if (setup === draft.setup) return draft;
  return withField(draft, 'setup', Object.keys(setup).length > 0 ? setup : undefined);
}

/** The goals; none left removes the field. */
export function setGoals(draft: Draft, goals: Goal[]): Draft {
  return withField(draft, 'goals', goals.length > 0 ? goals : undefined);
}

/** `base`, or `base-2`, `base-3`, ...: the first not in `taken`, within the 64 characters of an id. */
export function uniqueId(base: string, taken: Iterable<string>): string {
  const used = new Set(taken);
  const clean = base.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 56) || 'item';
  if (!used.has(clean)) return clean;
  for (let n = 2; ; n++) if (!used.has(`${clean}-${n}`)) return `${clean}-${n}`;
}

/** A new goal on `event`, with an id made from it. */
export function newGoal(draft: Draft, event: string): Goal {
  return { id: uniqueId(event.toLowerCase() || 'goal', (draft.goals ?? []).map((g) => g.id)), event };
}

/**
 * Goal `index` on another event. Its id follows while it is still the one made from its event ("purchase"
 * for Purchase becomes "charged" for Charged); an id someone chose stays.
 */
export function setGoalEvent(draft: Draft, index: number, event: string): Draft {
  const goals = draft.goals ?? [];
  const goal = goals[index];
  if (!goal || goal.event === event) return draft;
  const others = goals.filter((_, j) => j !== index).map((g) => g.id);
  const made = goal.id === uniqueId(goal.event.toLowerCase() || 'goal', others);
  const id = made ? uniqueId(event.toLowerCase() || 'goal', others) : goal.id;
  return setGoals(draft, goals.map((g, j) => (j === index ? { ...g, id, event } : g)));
}

// ------------------------------------------------------------------ delay

export type DelayMode = 'duration' | 'untilTime' | 'untilDate';

export function delayMode(node: DraftNode): DelayMode {
  if (node.untilTime !== undefined) return 'untilTime';
  if (node.untilDate !== undefined) return 'untilDate';
  return 'duration';
}

/**
 * The delay waiting in another way: only the fields of that mode remain (a delay has exactly one), starting
 * from a usable value; `timezone` stays for the local-time modes.
 */
export function switchDelayMode(node: DraftNode, mode: DelayMode): DraftNode {
  if (delayMode(node) === mode) return node;
  const base: DraftNode = { id: node.id, kind: node.kind };
  if (mode === 'duration') return { ...base, duration: '1d' };
  const zone = node.timezone !== undefined ? { timezone: node.timezone } : {};
  if (mode === 'untilTime') return { ...base, untilTime: '10:00', ...zone };
  return { ...base, untilDate: { property: '' }, ...zone };
}

// ------------------------------------------------------------------ entry trigger

export type TriggerType = 'action' | 'inaction' | 'segment' | 'date' | 'journey';

/** The trigger as another type: the event kept where both have one, the other fields that type's own. */
export function switchTrigger(trigger: Record<string, unknown>, type: TriggerType): Record<string, unknown> {
  if (trigger.type === type) return trigger;
  const event = typeof trigger.event === 'string' ? trigger.event : '';
  switch (type) {
    case 'action':
      return { type, event };
    case 'inaction':
      return { type, event, notEvent: '', within: '1d' };
    case 'segment':
      return { type, segment: { type: 'event', event, within: { last: '7d' } }, schedule: { type: 'recurring', time: '09:00' } };
    case 'date':
      return { type, property: '', time: '10:00' };
    case 'journey':
      return { type, journeyId: '', nodeId: '' };
  }
}

// ------------------------------------------------------------------ send

/**
 * The send on another channel: the message keeps the fields the new channel has (every channel has `body`)
 * and drops the others. A required field the new channel adds is left for the composer to ask for.
 */
export function switchChannel(node: DraftNode, channel: string, fields: readonly string[]): DraftNode {
  if (node.channel === channel) return node;
  const message = (node.message ?? {}) as Record<string, unknown>;
  const kept = Object.fromEntries(Object.entries(message).filter(([name]) => fields.includes(name)));
  return { ...node, channel, message: { body: '', ...kept } };
}

// ------------------------------------------------------------------ A/B split

export interface Variant {
  name: string;
  percent: number;
}

/** `n` whole percentages adding up to 100, the larger ones first: 3 → [34, 33, 33]. */
export function evenPercents(n: number): number[] {
  const share = Math.floor(100 / n);
  return Array.from({ length: n }, (_, i) => share + (i < 100 - share * n ? 1 : 0));
}

export function percentTotal(variants: readonly Variant[]): number {
  return variants.reduce((sum, v) => sum + (Number.isFinite(v.percent) ? v.percent : 0), 0);
}

function withVariants(draft: Draft, node: DraftNode, variants: Variant[]): Draft {
  return replaceNode(draft, node.id, { ...node, variants });
}

/**
 * Renames variant `index`: the name is also its branch label, so the edge drawn on it follows (an edge on the
 * old name would otherwise be refused, and the branch left without one).
 */
export function renameVariant(draft: Draft, nodeId: string, index: number, name: string): Draft {
  const node = draft.nodes.find((n) => n.id === nodeId);
  const variants = (node?.variants ?? []) as Variant[];
  const old = variants[index];
  if (!node || !old || old.name === name) return draft;
  const next = withVariants(draft, node, variants.map((v, i) => (i === index ? { ...v, name } : v)));
  // Only when no other variant has the old name: then the edge belongs to it alone.
  if (variants.some((v, i) => i !== index && v.name === old.name)) return next;
  return { ...next, edges: draft.edges.map((e) => (e.from === nodeId && e.branch === old.name ? { ...e, branch: name } : e)) };
}

/** A new variant, and the shares split evenly again (they must add up to 100). */
export function addVariant(draft: Draft, nodeId: string): Draft {
  const node = draft.nodes.find((n) => n.id === nodeId);
  const variants = (node?.variants ?? []) as Variant[];
  if (!node || variants.length >= 7) return draft;
  const name = uniqueId(`variant-${String.fromCharCode(97 + variants.length)}`, variants.map((v) => v.name));
  const percents = evenPercents(variants.length + 1);
  return withVariants(draft, node, [...variants, { name, percent: 0 }].map((v, i) => ({ ...v, percent: percents[i]! })));
}

/** Removes variant `index` and the edge of its branch; the shares are split evenly again. */
export function removeVariant(draft: Draft, nodeId: string, index: number): Draft {
  const node = draft.nodes.find((n) => n.id === nodeId);
  const variants = (node?.variants ?? []) as Variant[];
  const gone = variants[index];
  if (!node || !gone || variants.length <= 2) return draft;
  const rest = variants.filter((_, i) => i !== index);
  const percents = evenPercents(rest.length);
  const next = withVariants(draft, node, rest.map((v, i) => ({ ...v, percent: percents[i]! })));
  if (rest.some((v) => v.name === gone.name)) return next;
  return { ...next, edges: next.edges.filter((e) => !(e.from === nodeId && e.branch === gone.name)) };
}
