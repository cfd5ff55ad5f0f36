/** Journey statistics shaped for people: totals, conversion against the control group, and a per-node funnel. */
import type { JourneyDefinition } from '../core/definition.ts';
import type { JourneyVersion, StatRow, Store, WaitingRow } from '../store/store.ts';
import { NotFoundError } from './journeys.ts';
import { twoProportionZTest } from './significance.ts';
import type { StatsView } from './views.ts';

type Totals = StatsView['totals'];
type NodeStats = StatsView['nodes'][number];

const JOURNEY_METRICS: Record<string, keyof Totals> = {
  qualified: 'qualified',
  entered: 'entered',
  control: 'control',
  not_qualified: 'notQualified',
  goal: 'goal',
  control_goal: 'controlGoal',
  timed_out: 'timedOut',
  completed: 'completed',
  stopped: 'stopped',
  merged: 'merged',
};

const NODE_METRICS: Record<string, keyof Omit<NodeStats, 'nodeId' | 'kind' | 'skippedBy' | 'waiting'>> = {
  node_entered: 'entered',
  node_sent: 'sent',
  node_failed: 'failed',
  node_skipped: 'skipped',
  node_opened: 'opened',
  node_clicked: 'clicked',
  node_missed: 'missed',
  node_goal: 'goal',
};

/** Counted next to node_skipped, one per reason: `node_skipped:no_phone`. */
const SKIPPED_BY = 'node_skipped:';

/** The stats of a journey as the API, the CLI and simulate show them; NotFoundError for an unknown journey. */
export async function journeyStats(store: Store, journeyId: string): Promise<StatsView> {
  const journey = await store.getJourney(journeyId);
  if (!journey) throw new NotFoundError(`no journey "${journeyId}"`);
  const [rows, versions, waiting] = await Promise.all([store.journeyStats(journeyId), store.listVersions(journeyId), store.journeyWaiting(journeyId)]);
  return statsView(journeyId, rows, versions, journey.draft, waiting);
}

/**
 * `versions` are the journey's published versions; `draft` stands in for node order before the first publish.
 * `waiting`: the counters of now (who is at which node), beside the stats rows' counters of all time.
 * Metrics the view does not know are ignored rather than failing the whole answer.
 */
export function statsView(journeyId: string, rows: StatRow[], versions: JourneyVersion[], draft: JourneyDefinition, waiting: WaitingRow[] = []): StatsView {
  const sorted = [...versions].sort((a, b) => a.version - b.version);
  const newest = sorted.at(-1)?.definition ?? draft;
  // Node kinds by id, newest definition winning, so nodes dropped in later versions still get a kind.
  const kinds = new Map<string, string>();
  for (const v of sorted) for (const n of v.definition.nodes) kinds.set(n.id, n.kind);
  for (const n of newest.nodes) kinds.set(n.id, n.kind);
  const order = newest.nodes.filter((n) => n.kind !== 'entry').map((n) => n.id);

  const versionNumbers = [...new Set([...sorted.map((v) => v.version), ...rows.map((r) => r.version), ...waiting.map((w) => w.version)])].sort((a, b) => a - b);
  const all = tally(rows, waiting, order, kinds);
  const byVersion: StatsView['byVersion'] = {};
  for (const version of versionNumbers) {
    const definition = sorted.find((v) => v.version === version)?.definition;
    const versionOrder = definition ? definition.nodes.filter((n) => n.kind !== 'entry').map((n) => n.id) : [];
    byVersion[String(version)] = tally(
      rows.filter((r) => r.version === version),
      waiting.filter((w) => w.version === version),
      versionOrder,
      kinds,
    );
  }
  return { journeyId, versions: versionNumbers, totals: all.totals, conversion: conversion(all.totals), nodes: all.nodes, byVersion };
}

function tally(rows: StatRow[], waiting: WaitingRow[], order: string[], kinds: Map<string, string>): { totals: Totals; nodes: NodeStats[] } {
  const totals: Totals = { qualified: 0, entered: 0, control: 0, notQualified: 0, goal: 0, controlGoal: 0, timedOut: 0, completed: 0, stopped: 0, merged: 0, inJourneyNow: 0 };
  const nodes = new Map<string, NodeStats>();
  const nodeOf = (nodeId: string) => {
    let node = nodes.get(nodeId);
    if (!node) {
      node = { nodeId, kind: kinds.get(nodeId) ?? 'unknown', entered: 0, sent: 0, failed: 0, skipped: 0, skippedBy: {}, opened: 0, clicked: 0, missed: 0, goal: 0, waiting: 0 };
      nodes.set(nodeId, node);
    }
    return node;
  };
  for (const id of order) nodeOf(id);
  for (const row of rows) {
    if (row.nodeId === '') {
      const key = JOURNEY_METRICS[row.metric];
      if (key) totals[key] += row.count;
    } else if (row.metric.startsWith(SKIPPED_BY)) {
      const skippedBy = nodeOf(row.nodeId).skippedBy;
      const reason = row.metric.slice(SKIPPED_BY.length);
      skippedBy[reason] = (skippedBy[reason] ?? 0) + row.count;
    } else {
      const key = NODE_METRICS[row.metric];
      if (key) nodeOf(row.nodeId)[key] += row.count;
    }
  }
  for (const w of waiting) {
    totals.inJourneyNow += w.count;
    nodeOf(w.nodeId).waiting += w.count;
  }
  // Reasons in a fixed order, so the JSON is the same whatever order the store returned the rows in.
  for (const node of nodes.values()) node.skippedBy = Object.fromEntries(Object.entries(node.skippedBy).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return { totals, nodes: [...nodes.values()] };
}

function conversion(t: Totals): StatsView['conversion'] {
  const targetRate = rate(t.goal, t.entered);
  const controlRate = rate(t.controlGoal, t.control);
  const uplift = targetRate === null || controlRate === null || controlRate === 0 ? null : round((targetRate - controlRate) / controlRate);
  return {
    target: { entered: t.entered, converted: t.goal, rate: targetRate },
    control: { users: t.control, converted: t.controlGoal, rate: controlRate },
    uplift,
    significance: twoProportionZTest({ users: t.entered, converted: t.goal }, { users: t.control, converted: t.controlGoal }),
  };
}

function rate(converted: number, users: number): number | null {
  return users === 0 ? null : round(converted / users);
}

function round(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}
