/**
 * A journey definition as the canvas draws it: one card per node (title, a line saying what it does, its
 * counts) and one arrow per edge, labelled with its branch. Pure, so it is tested without a browser.
 */
import { formatDuration } from './format.ts';
import { branchLabel, channelLabel, countersOf, kindLabel, toneOf, type BranchMeta, type Registry, type Tone } from './meta.ts';
import { skipLine, skipTitle, trialStats, waitingLine, type CardStat, type TrialCounts } from './node-figures.ts';

export type { CardStat, TrialCounts };

/** The parts of a definition the canvas reads; the server has validated the rest. */
export interface DefinitionNode {
  id: string;
  kind: string;
  [field: string]: unknown;
}
export interface DefinitionEdge {
  from: string;
  to: string;
  branch?: string;
}
export interface DefinitionLike {
  name: string;
  nodes: DefinitionNode[];
  edges: DefinitionEdge[];
}

export interface NodeCounts {
  nodeId: string;
  entered: number;
  sent: number;
  failed: number;
  skipped: number;
  /** Servers before engagement tracking do not send them. */
  opened?: number;
  clicked?: number;
  missed: number;
  goal: number;
  /** Users at the node now; servers before it was counted do not send it. */
  waiting?: number;
  skippedBy?: Record<string, number>;
}

export interface Card {
  id: string;
  kind: string;
  title: string;
  tone: Tone;
  summary: string;
  stats: CardStat[];
  /** "3 waiting now", or null. */
  waiting: string | null;
  /** "Skipped: 4 no phone", and the reasons in full for its tooltip; null without skips. */
  skips: string | null;
  skipsTitle: string | null;
  /** A backtest's figures for the node, drawn apart from the live ones; null without a backtest. */
  trial: CardStat[] | null;
  /** Its ways out, one handle each, in the registry's order. */
  branches: BranchMeta[];
  /** Drawn small, on the link (a delay reads as "⏱ 2 hours" between two steps). */
  compact: boolean;
}

export interface Arrow {
  id: string;
  from: string;
  to: string;
  /** The edge's branch; "next" when the JSON has none. */
  branch: string;
  /** Empty for the single way out of a linear node ("next"). */
  label: string;
}

export const NEXT = 'next';
const COMPACT = new Set(['delay']);

/** `trials`: a backtest's counts by node id (see trialCountsOf), when one is overlaid. */
export function toCards(definition: DefinitionLike, registry: Registry | null, counts: readonly NodeCounts[] = [], trials: ReadonlyMap<string, TrialCounts> | null = null): Card[] {
  const byNode = new Map(counts.map((c) => [c.nodeId, c]));
  return definition.nodes.map((node) => toCard(node, registry, byNode.get(node.id), trials ? (trials.get(node.id) ?? null) : undefined));
}

/** `trial`: undefined without a backtest; null with one that did not reach the node (a node added since). */
export function toCard(node: DefinitionNode, registry: Registry | null, counts: NodeCounts | undefined, trial?: TrialCounts | null): Card {
  const counters = countersOf(node.kind, registry);
  return {
    id: node.id,
    kind: node.kind,
    title: node.kind === 'send' ? `${kindLabel(node.kind, registry)} · ${channelLabel(String(node.channel), registry)}` : kindLabel(node.kind, registry),
    tone: toneOf(node.kind, registry),
    summary: summarize(node),
    stats: cardStats(counters, counts),
    waiting: waitingLine(counts?.waiting),
    skips: counts ? skipLine(counts.skipped, counts.skippedBy) : null,
    skipsTitle: counts ? skipTitle(counts.skipped, counts.skippedBy) : null,
    trial: trial === undefined ? null : trialStats(node.kind === 'entry' ? [] : counters, trial ?? { entered: 0 }),
    branches: branchesOf(node, registry),
    compact: COMPACT.has(node.kind),
  };
}

/**
 * A node's ways out: its kind's branches from the registry, an A/B split's variants, and a delay's "missed"
 * only when it waits for a date (the only delay that can miss). Without a registry: one "next", none for an exit.
 */
export function branchesOf(node: DefinitionNode, registry: Registry | null): BranchMeta[] {
  const meta = registry?.nodes.find((n) => n.kind === node.kind);
  if (meta?.branchesFrom === 'variants' || (!meta && node.kind === 'abSplit')) {
    const variants = Array.isArray(node.variants) ? (node.variants as Array<{ name?: unknown }>) : [];
    return variants.filter((v) => typeof v.name === 'string' && v.name !== '').map((v) => ({ name: v.name as string, label: v.name as string, optional: false }));
  }
  if (!meta) return node.kind === 'exit' ? [] : [{ name: NEXT, label: 'Next', optional: false }];
  return meta.branches.filter((b) => !(node.kind === 'delay' && b.name === 'missed' && !node.untilDate));
}

export function toArrows(definition: DefinitionLike, registry: Registry | null): Arrow[] {
  const kinds = new Map(definition.nodes.map((n) => [n.id, n]));
  const ways = new Map<string, number>();
  for (const edge of definition.edges) ways.set(edge.from, (ways.get(edge.from) ?? 0) + 1);
  return definition.edges.map((edge) => {
    const branch = edge.branch ?? NEXT;
    const from = kinds.get(edge.from);
    // The single way out of a node needs no label; "next" beside another way out does ("Sent" / "Unreachable").
    const unlabelled = branch === NEXT && (ways.get(edge.from) ?? 0) < 2;
    let label = unlabelled ? '' : from ? branchLabel(from.kind, branch, registry) : branch;
    // An A/B variant's branch is the variant's name; its share is worth showing on the arrow.
    if (from?.kind === 'abSplit' && Array.isArray(from.variants)) {
      const variant = (from.variants as Array<{ name?: unknown; percent?: unknown }>).find((v) => v.name === branch);
      if (variant && typeof variant.percent === 'number') label = `${label} · ${variant.percent}%`;
    }
    return { id: arrowId(edge), from: edge.from, to: edge.to, branch, label };
  });
}

/** An edge's id on the canvas: edges have none in the JSON, and two may join the same nodes by different branches. */
export function arrowId(edge: DefinitionEdge): string {
  return `${edge.from}->${edge.to}:${edge.branch ?? NEXT}`;
}

const COUNTER_LABEL: Record<string, string> = { goal: 'converted here' };
/** Always shown, zero or not: how many came, and how many got the message. */
const ALWAYS = new Set(['entered', 'sent']);

/** The kind's counters as badges; zeros of outcomes that never happened stay off the card. */
function cardStats(counters: readonly string[], counts: NodeCounts | undefined): CardStat[] {
  const stats: CardStat[] = [];
  for (const counter of counters) {
    const value = counts ? (counts as unknown as Record<string, unknown>)[counter] : 0;
    if (typeof value !== 'number' || (value === 0 && !ALWAYS.has(counter))) continue;
    stats.push({ label: COUNTER_LABEL[counter] ?? counter, value });
  }
  return stats;
}

/**
 * A backtest's counts by node id, for the overlay: each node's, and the entry's from the totals (who would
 * have entered, and been held out).
 */
export function trialCountsOf(stats: { totals: { entered: number; control: number }; nodes: ReadonlyArray<{ nodeId: string; kind: string } & TrialCounts> }, definition: DefinitionLike): Map<string, TrialCounts> {
  const trials = new Map<string, TrialCounts>(stats.nodes.map((n) => [n.nodeId, n]));
  for (const node of definition.nodes) if (node.kind === 'entry') trials.set(node.id, { entered: stats.totals.entered, control: stats.totals.control });
  return trials;
}

/** One line saying what a node does, from its fields. */
export function summarize(node: DefinitionNode): string {
  const text = (value: unknown) => (typeof value === 'string' ? value : '');
  switch (node.kind) {
    case 'entry':
      return triggerSummary(node.trigger as Record<string, unknown> | undefined);
    case 'send': {
      const message = (node.message ?? {}) as Record<string, unknown>;
      return firstLine(text(message.title) || text(message.subject) || text(message.body) || text(message.url));
    }
    case 'delay':
      if (typeof node.duration === 'string') return `Wait ${formatDuration(node.duration)}`;
      if (typeof node.untilTime === 'string') return `Wait until ${node.untilTime}${Array.isArray(node.days) ? ` on ${node.days.join(', ')}` : ''}`;
      if (node.untilDate && typeof node.untilDate === 'object') return `Wait until the date in ${text((node.untilDate as Record<string, unknown>).property) || 'a profile property'}`;
      return 'Wait';
    case 'wait':
      return `Wait up to ${formatDuration(text(node.timeout))} for ${text(node.event)}`;
    case 'split':
      return Array.isArray(node.where) ? filtersSummary(node.where as Array<Record<string, unknown>>) : 'Matches the segment condition';
    case 'abSplit':
      return Array.isArray(node.variants)
        ? (node.variants as Array<{ name?: unknown; percent?: unknown }>).map((v) => `${text(v.name)} ${typeof v.percent === 'number' ? `${v.percent}%` : ''}`.trim()).join(' / ')
        : 'Random split';
    case 'updateProfile':
      return node.set && typeof node.set === 'object' ? `Set ${Object.keys(node.set).join(', ')}` : 'Update the profile';
    case 'exit':
      return 'Leave the journey';
    default:
      return '';
  }
}

/** "plan is pro or business", "and 2 more" past the first. */
function filtersSummary(filters: Array<Record<string, unknown>>): string {
  const first = filters[0];
  if (!first) return '';
  const value = (v: unknown) => (Array.isArray(v) ? v.map(String).join(' or ') : String(v));
  const ops: Record<string, string> = { '=': 'is', '!=': 'is not', '<': '<', '<=': '≤', '>': '>', '>=': '≥', contains: 'contains', in: 'is' };
  const line = first.op === 'exists' ? `${String(first.property)} is set` : `${String(first.property)} ${ops[String(first.op)] ?? String(first.op)} ${value(first.value)}`;
  return filters.length > 1 ? `${line}, and ${filters.length - 1} more` : line;
}

function triggerSummary(trigger: Record<string, unknown> | undefined): string {
  const text = (value: unknown) => (typeof value === 'string' ? value : '');
  switch (trigger?.type) {
    case 'action':
      return `Does ${text(trigger.event)}`;
    case 'inaction':
      return `Does ${text(trigger.event)}, no ${text(trigger.notEvent)} within ${formatDuration(text(trigger.within))}`;
    case 'segment':
      return 'Matches a segment, on schedule';
    case 'date':
      return `A date in ${text(trigger.property)}`;
    case 'journey':
      return `Reaches ${text(trigger.nodeId)} in ${text(trigger.journeyId)}`;
    default:
      return '';
  }
}

/**
 * Templates can be long HTML with Liquid: the card shows how the text reads, within 80 characters. An output
 * with a default shows the default (`{{ Profile.Name | default: "there" }}` reads "there"), one without shows
 * its variable's name in braces, and tags (`{% if %}`) and HTML are left out.
 */
export function firstLine(template: string): string {
  const plain = template
    .replace(/\{\{-?\s*([^}]*?)\s*-?\}\}/g, (_, expression: string) => {
      const fallback = /\|\s*default:\s*(?:"([^"]*)"|'([^']*)')/.exec(expression);
      if (fallback) return fallback[1] ?? fallback[2] ?? '';
      const variable = expression.split('|')[0]!.trim();
      return `{${variable.split('.').at(-1) ?? variable}}`;
    })
    .replace(/\{%-?[\s\S]*?-?%\}/g, '')
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return plain.length > 80 ? `${plain.slice(0, 79)}…` : plain;
}
