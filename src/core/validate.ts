/**
 * Turns untrusted JSON into a compiled journey, or into the full list of what is wrong with it.
 * Every problem is reported at once, each with the path of the field it is about.
 */
import { Compile } from 'typebox/compile';
import { JourneyDefinition, NODE_SCHEMAS, type Edge, type Filter, type JourneyNode, type Trigger } from './definition.ts';
import { branchOf, branchesOf, letsTimePass, optionalBranchesOf } from './branches.ts';
import { parseDuration } from './duration.ts';
import { filterProblems } from './filters.ts';
import { compileCondition, conditionProblems, conditionSchemaProblems, messageNodes, usesMessages, type CompiledCondition, type Condition } from './segment.ts';
import { isValidTimeZone, type DndWindow } from './dnd.ts';
import { templateProblems as problemsOfTemplate } from './templates.ts';
import type { Weekday } from './local-time.ts';

export interface Problem {
  path: string;
  message: string;
}

/** A definition checked and pre-digested for the interpreter: edges indexed, durations in ms. */
export interface CompiledJourney {
  definition: JourneyDefinition;
  /** `event` is the name of the event that starts it: the trigger's, or ENTER_EVENT for a scheduled entry. */
  entry: { id: string; trigger: Trigger; withinMs: number; event: string };
  /** Split nodes' segment conditions, compiled once. */
  conditions: Map<string, CompiledCondition>;
  /** Whether a split asks about message outcomes: only then does an instance keep a record of its sends. */
  readsOutcomes: boolean;
  nodes: Map<string, JourneyNode>;
  /** Per node, per branch label: the node that edge leads to. */
  next: Map<string, Map<string, string>>;
  /** How long each delay node waits, digested. */
  delays: Map<string, DelayPlan>;
  /** Wait nodes' timeouts. */
  waitMs: Map<string, number>;
  /** In definition order: the first that matches an event is the one that counts. */
  goals: CompiledGoal[];
  timeoutMs: number | null;
  controlGroupPercent: number;
  reentry: 'never' | 'afterExit';
  reentryCooldownMs: number | null;
  ignoreFrequencyCaps: boolean;
  /** Entry timeline: entries happen in [startAt, endAt). */
  startAt: number | null;
  endAt: number | null;
  /** The journey's own IANA zone, or null to use the project's (settings), else UTC. */
  timezone: string | null;
  dnd: { windows: DndWindow[]; zone: 'user' | 'journey'; whenInDnd: 'defer' | 'skip' } | null;
}

/**
 * The name of the internal event a scheduled entry (segment or date property) starts a user with. Its
 * properties say which journey (`journeyId`), which run (`runAt`), and when to enter (`at`).
 */
export const ENTER_EVENT = '$enter';

export type DelayPlan =
  | { type: 'duration'; ms: number }
  | { type: 'time'; time: string; days: Weekday[] | undefined; zone: 'user' | 'journey' }
  | { type: 'date'; property: string; beforeMs?: number; afterMs?: number; time?: string; zone: 'user' | 'journey' };

const checkDefinition = Compile(JourneyDefinition);
const checkNode = Object.fromEntries(Object.entries(NODE_SCHEMAS).map(([kind, schema]) => [kind, Compile(schema)]));

export interface CompiledGoal {
  id: string;
  event: string;
  where: Filter[];
  exitOnGoal: boolean;
  /** The conversion window from entry, or null for the whole journey. */
  withinMs: number | null;
}

export type CompileResult = { ok: true; journey: CompiledJourney } | { ok: false; problems: Problem[] };

export function compileJourney(input: unknown): CompileResult {
  const problems = schemaProblems(input);
  if (problems.length > 0) return { ok: false, problems };
  const definition = input as JourneyDefinition;
  graphProblems(definition, problems);
  setupProblems(definition, problems);
  templateProblems(definition, problems);
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, journey: digest(definition) };
}

function schemaProblems(input: unknown): Problem[] {
  if (checkDefinition.Check(input)) return [];
  const problems: Problem[] = [];
  const nodes = (input as { nodes?: unknown })?.nodes;
  // A node fails every branch of the union; report it against its own kind's schema instead (below).
  const errors = [...checkDefinition.Errors(input)].filter((e) => !(Array.isArray(nodes) && e.instancePath.startsWith('/nodes/')));
  for (const error of narrowUnions(errors)) problems.push(fromSchemaError(error, ''));
  if (Array.isArray(nodes)) {
    nodes.forEach((node, i) => {
      const path = `/nodes/${i}`;
      const kind = (node as { kind?: unknown })?.kind;
      const check = typeof kind === 'string' ? checkNode[kind] : undefined;
      if (!check) {
        problems.push({ path: `${path}/kind`, message: `unknown node kind ${JSON.stringify(kind)}; expected one of ${Object.keys(NODE_SCHEMAS).join(', ')}` });
        return;
      }
      for (const error of narrowUnions([...check.Errors(node)])) {
        if (error.keyword === 'boolean') continue;
        problems.push(fromSchemaError(error, path));
      }
    });
  }
  return dedupe(problems);
}

type SchemaError = { instancePath: string; schemaPath: string; message: string; keyword: string; params: Record<string, unknown> };

/**
 * A value that fails a union fails every branch, and the raw errors say so for each. Keep what a person
 * needs: for a union of constants, the allowed values; for a union of objects told apart by `type` or
 * `kind`, only the errors of the branch the value names.
 */
function narrowUnions(errors: SchemaError[]): SchemaError[] {
  let result = errors;
  for (const union of errors.filter((e) => e.keyword === 'anyOf')) {
    const prefix = `${union.schemaPath}/anyOf/`;
    const branches = new Map<string, SchemaError[]>();
    for (const e of result) {
      if (!e.schemaPath.startsWith(prefix)) continue;
      const k = e.schemaPath.slice(prefix.length).split('/')[0]!;
      branches.set(k, [...(branches.get(k) ?? []), e]);
    }
    const inBranches = new Set([...branches.values()].flat());
    const all = [...branches.values()];
    const constants = all.every((b) => b.length === 1 && b[0]!.keyword === 'const' && b[0]!.instancePath === union.instancePath);
    let replacement: SchemaError[] | null = null;
    if (constants && all.length > 0) {
      const allowed = all.map((b) => JSON.stringify(b[0]!.params.allowedValue)).join(', ');
      replacement = [{ ...union, keyword: 'enum', message: `must be one of ${allowed}` }];
    } else {
      const named = all.filter((b) => !b.some((e) => e.keyword === 'const' && /\/(type|kind)$/.test(e.instancePath) && e.instancePath.slice(0, e.instancePath.lastIndexOf('/')) === union.instancePath));
      if (named.length === 1) replacement = named[0]!;
    }
    if (replacement) result = [...result.filter((e) => e !== union && !inBranches.has(e)), ...replacement];
  }
  return result;
}

function fromSchemaError(error: SchemaError, prefix: string): Problem {
  const path = prefix + error.instancePath;
  if (error.keyword === 'additionalProperties') {
    const extra = (error.params.additionalProperties as string[] | undefined)?.join(', ');
    return { path, message: `unknown field${extra ? ` ${extra}` : ''}` };
  }
  if (error.keyword === 'required') {
    const missing = (error.params.requiredProperties as string[] | undefined)?.join(', ');
    return { path, message: `missing required field ${missing}` };
  }
  return { path: path || '/', message: error.message };
}

function dedupe(problems: Problem[]): Problem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.path}\u0000${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function graphProblems(definition: JourneyDefinition, problems: Problem[]): void {
  const index = new Map<string, number>();
  definition.nodes.forEach((node, i) => {
    if (index.has(node.id)) problems.push({ path: `/nodes/${i}/id`, message: `duplicate node id "${node.id}"` });
    else index.set(node.id, i);
  });
  const entries = definition.nodes.filter((n) => n.kind === 'entry');
  if (entries.length !== 1) problems.push({ path: '/nodes', message: `a journey needs exactly one entry node, found ${entries.length}` });

  const outgoing = new Map<string, Edge[]>();
  const edgeIndex = new Map<Edge, number>();
  definition.edges.forEach((edge, i) => {
    if (!index.has(edge.from)) problems.push({ path: `/edges/${i}/from`, message: `edge from unknown node "${edge.from}"` });
    if (!index.has(edge.to)) problems.push({ path: `/edges/${i}/to`, message: `edge to unknown node "${edge.to}"` });
    if (definition.nodes[index.get(edge.to) ?? -1]?.kind === 'entry') problems.push({ path: `/edges/${i}/to`, message: 'no edge may lead into the entry node' });
    const list = outgoing.get(edge.from) ?? [];
    list.push(edge);
    outgoing.set(edge.from, list);
    edgeIndex.set(edge, i);
  });

  definition.nodes.forEach((node, i) => {
    if (index.get(node.id) !== i) return; // a duplicate id: reported above
    const edges = outgoing.get(node.id) ?? [];
    if (node.kind === 'exit') {
      if (edges.length > 0) problems.push({ path: `/nodes/${i}`, message: `exit node "${node.id}" cannot have outgoing edges` });
      return;
    }
    const branches = [...new Set(branchesOf(node))];
    const optional = optionalBranchesOf(node);
    for (const edge of edges) {
      const label = branchOf(edge);
      if (!branches.includes(label) && !optional.includes(label)) {
        const known = [...branches, ...optional].map((b) => `"${b}"`).join(', ');
        problems.push({ path: `/edges/${edgeIndex.get(edge)}/branch`, message: `${node.kind} node "${node.id}" has no branch "${label}"; its branches are ${known}` });
      }
    }
    for (const branch of optional) {
      const count = edges.filter((e) => branchOf(e) === branch).length;
      if (count > 1) problems.push({ path: `/nodes/${i}`, message: `node "${node.id}" has ${count} outgoing "${branch}" edges; it may have one` });
    }
    if (edges.length === 0 && branches.length === 1) {
      problems.push({ path: `/nodes/${i}`, message: `node "${node.id}" has no way out; connect it to another node or to an exit` });
      return;
    }
    for (const branch of branches) {
      const count = edges.filter((e) => branchOf(e) === branch).length;
      if (count === 0) problems.push({ path: `/nodes/${i}`, message: `node "${node.id}" has no "${branch}" edge; connect it to another node or to an exit` });
      if (count > 1) problems.push({ path: `/nodes/${i}`, message: `node "${node.id}" has ${count} outgoing "${branch}" edges; it needs exactly one` });
    }
  });

  if (hasCycleWithoutDelay(definition, outgoing)) {
    problems.push({ path: '/edges', message: 'the graph has a loop with no delay in it; users would spin forever' });
  }

  const entry = entries[0];
  if (!entry) return;
  const reached = new Set([entry.id]);
  const queue = [entry.id];
  while (queue.length > 0) {
    for (const edge of outgoing.get(queue.shift()!) ?? []) {
      if (index.has(edge.to) && !reached.has(edge.to)) {
        reached.add(edge.to);
        queue.push(edge.to);
      }
    }
  }
  definition.nodes.forEach((node, i) => {
    if (!reached.has(node.id)) problems.push({ path: `/nodes/${i}`, message: `node "${node.id}" cannot be reached from the entry` });
  });
}

function hasCycleWithoutDelay(definition: JourneyDefinition, outgoing: Map<string, Edge[]>): boolean {
  const byId = new Map(definition.nodes.map((n) => [n.id, n]));
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (id: string): boolean => {
    const node = byId.get(id);
    if (node && letsTimePass(node)) return false;
    if (state.get(id) === 'visiting') return true;
    if (state.get(id) === 'done') return false;
    state.set(id, 'visiting');
    const cyclic = (outgoing.get(id) ?? []).some((e) => byId.has(e.to) && visit(e.to));
    state.set(id, 'done');
    return cyclic;
  };
  return definition.nodes.some((n) => visit(n.id));
}

function setupProblems(definition: JourneyDefinition, problems: Problem[]): void {
  const zone = definition.setup?.timezone;
  if (zone !== undefined && !isValidTimeZone(zone)) problems.push({ path: '/setup/timezone', message: `unknown IANA time zone "${zone}"` });
  setupTimeProblems(definition, problems);
  const goals = new Set<string>();
  (definition.goals ?? []).forEach((goal, i) => {
    if (goals.has(goal.id)) problems.push({ path: `/goals/${i}/id`, message: `duplicate goal id "${goal.id}"` });
    goals.add(goal.id);
    problems.push(...filterProblems(goal.where, `/goals/${i}/where`));
  });
  definition.nodes.forEach((node, i) => {
    if (node.kind === 'wait' || node.kind === 'split') problems.push(...filterProblems(node.where, `/nodes/${i}/where`));
    if (node.kind === 'split') splitProblems(definition, node, `/nodes/${i}`, problems);
    if (node.kind === 'entry') triggerProblems(node.trigger, `/nodes/${i}/trigger`, problems);
    if (node.kind === 'abSplit') abSplitProblems(node.variants, `/nodes/${i}/variants`, problems);
    if (node.kind === 'delay') delayProblems(node, `/nodes/${i}`, problems);
    if (node.kind !== 'send') return;
    const m = node.message;
    if (node.channel === 'push' && m.title === undefined) problems.push({ path: `/nodes/${i}/message/title`, message: 'a push message needs a title' });
    if (node.channel === 'email' && m.subject === undefined) problems.push({ path: `/nodes/${i}/message/subject`, message: 'an email needs a subject' });
    if (node.channel === 'webhook' && m.url === undefined) problems.push({ path: `/nodes/${i}/message/url`, message: 'a webhook needs a url' });
  });
}

function splitProblems(definition: JourneyDefinition, node: Extract<JourneyNode, { kind: 'split' }>, path: string, problems: Problem[]): void {
  if ((node.where === undefined) === (node.condition === undefined)) {
    problems.push({ path, message: 'a split needs exactly one of "where" (profile filters) or "condition" (a segment condition)' });
  }
  if (node.condition === undefined) return;
  const found = segmentProblems(node.condition, `${path}/condition`, true, problems);
  if (!found) return;
  const sends = new Set(definition.nodes.filter((n) => n.kind === 'send').map((n) => n.id));
  for (const ref of messageNodes(node.condition, `${path}/condition`)) {
    if (!sends.has(ref.nodeId)) problems.push({ path: ref.path, message: `"${ref.nodeId}" is not a send node of this journey` });
  }
}

/** Shape first, then meaning; false when the condition is unusable. */
function segmentProblems(condition: Condition, path: string, allowMessages: boolean, problems: Problem[]): boolean {
  const shape = conditionSchemaProblems(condition, path);
  if (shape.length > 0) {
    problems.push(...shape);
    return false;
  }
  const meaning = conditionProblems(condition, path, { allowMessages });
  problems.push(...meaning);
  return meaning.length === 0;
}

function triggerProblems(trigger: Trigger, path: string, problems: Problem[]): void {
  if (trigger.type === 'action' || trigger.type === 'inaction') problems.push(...filterProblems(trigger.where, `${path}/where`));
  if (trigger.type === 'inaction') problems.push(...filterProblems(trigger.notWhere, `${path}/notWhere`));
  if (trigger.type === 'segment') segmentProblems(trigger.segment, `${path}/segment`, false, problems);
  if (trigger.type === 'date' && trigger.before !== undefined && trigger.after !== undefined) problems.push({ path, message: 'give "before" or "after", not both' });
}

function setupTimeProblems(definition: JourneyDefinition, problems: Problem[]): void {
  const setup = definition.setup ?? {};
  const dnd = setup.dnd;
  if (dnd) {
    if ((dnd.start === undefined) !== (dnd.end === undefined)) problems.push({ path: '/setup/dnd', message: 'give both "start" and "end", or neither' });
    if (dnd.start === undefined && dnd.windows === undefined) problems.push({ path: '/setup/dnd', message: 'give "start" and "end" (every day) or "windows" (per weekday)' });
    const all = dndWindows(dnd);
    if (all.some((w) => w.start === w.end && (w.days === undefined || w.days.length === 7))) {
      problems.push({ path: '/setup/dnd', message: 'a window from a time to the same time is empty; leave it out' });
    }
  }
  if (setup.startAt !== undefined && setup.endAt !== undefined && Date.parse(setup.endAt) <= Date.parse(setup.startAt)) {
    problems.push({ path: '/setup/endAt', message: 'endAt must be after startAt' });
  }
  if (setup.reentryCooldown !== undefined && (setup.reentry ?? 'never') !== 'afterExit') {
    problems.push({ path: '/setup/reentryCooldown', message: "a cool-down needs reentry 'afterExit'" });
  }
}

function dndWindows(dnd: NonNullable<NonNullable<JourneyDefinition['setup']>['dnd']>): DndWindow[] {
  const everyDay = dnd.start !== undefined && dnd.end !== undefined ? [{ start: dnd.start, end: dnd.end }] : [];
  return [...everyDay, ...(dnd.windows ?? [])];
}

function delayProblems(node: Extract<JourneyNode, { kind: 'delay' }>, path: string, problems: Problem[]): void {
  const modes = [node.duration, node.untilTime, node.untilDate].filter((m) => m !== undefined).length;
  if (modes !== 1) problems.push({ path, message: 'a delay needs exactly one of "duration", "untilTime" or "untilDate"' });
  if (node.days !== undefined && node.untilTime === undefined) problems.push({ path: `${path}/days`, message: '"days" goes with "untilTime"' });
  if (node.timezone !== undefined && node.duration !== undefined) problems.push({ path: `${path}/timezone`, message: 'a fixed duration has no time zone; use it with "untilTime" or "untilDate"' });
  if (node.untilDate?.before !== undefined && node.untilDate.after !== undefined) problems.push({ path: `${path}/untilDate`, message: 'give "before" or "after", not both' });
}

function abSplitProblems(variants: Array<{ name: string; percent: number }>, path: string, problems: Problem[]): void {
  const names = new Set<string>();
  variants.forEach((v, j) => {
    if (names.has(v.name)) problems.push({ path: `${path}/${j}/name`, message: `duplicate variant name "${v.name}"` });
    names.add(v.name);
  });
  const total = variants.reduce((sum, v) => sum + v.percent, 0);
  if (total !== 100) problems.push({ path, message: `variant percentages add up to ${total}; they must add up to 100` });
}

function templateProblems(definition: JourneyDefinition, problems: Problem[]): void {
  definition.nodes.forEach((node, i) => {
    if (node.kind !== 'send') return;
    for (const field of ['title', 'subject', 'body'] as const) {
      const text = node.message[field];
      if (text !== undefined) problems.push(...problemsOfTemplate(text, `/nodes/${i}/message/${field}`));
    }
  });
}

function digest(definition: JourneyDefinition): CompiledJourney {
  const entry = definition.nodes.find((n) => n.kind === 'entry')!;
  const trigger = entry.trigger;
  const setup = definition.setup ?? {};
  return {
    definition,
    entry: { id: entry.id, trigger, withinMs: trigger.type === 'inaction' ? parseDuration(trigger.within) : 0, event: entryEventOf(trigger) },
    conditions: new Map(definition.nodes.flatMap((n) => (n.kind === 'split' && n.condition ? [[n.id, compileCondition(n.condition)] as const] : []))),
    readsOutcomes: definition.nodes.some((n) => n.kind === 'split' && n.condition !== undefined && usesMessages(n.condition)),
    nodes: new Map(definition.nodes.map((n) => [n.id, n])),
    next: nextByBranch(definition.edges),
    delays: new Map(definition.nodes.flatMap((n) => (n.kind === 'delay' ? [[n.id, delayPlan(n)] as const] : []))),
    waitMs: new Map(definition.nodes.flatMap((n) => (n.kind === 'wait' ? [[n.id, parseDuration(n.timeout)] as const] : []))),
    goals: (definition.goals ?? []).map((g) => ({ id: g.id, event: g.event, where: g.where ?? [], exitOnGoal: g.exitOnGoal ?? true, withinMs: g.within ? parseDuration(g.within) : null })),
    timeoutMs: setup.timeout ? parseDuration(setup.timeout) : null,
    controlGroupPercent: setup.controlGroupPercent ?? 0,
    reentry: setup.reentry ?? 'never',
    reentryCooldownMs: setup.reentryCooldown ? parseDuration(setup.reentryCooldown) : null,
    ignoreFrequencyCaps: setup.ignoreFrequencyCaps ?? false,
    startAt: setup.startAt ? Date.parse(setup.startAt) : null,
    endAt: setup.endAt ? Date.parse(setup.endAt) : null,
    timezone: setup.timezone ?? null,
    dnd: setup.dnd ? { windows: dndWindows(setup.dnd), zone: setup.dnd.timezone ?? 'user', whenInDnd: setup.dnd.whenInDnd ?? 'defer' } : null,
  };
}

/** Live triggers start on their event's name; scheduled and journey triggers on ENTER_EVENT naming the journey. */
function entryEventOf(trigger: Trigger): string {
  return trigger.type === 'action' || trigger.type === 'inaction' ? trigger.event : ENTER_EVENT;
}

function delayPlan(node: Extract<JourneyNode, { kind: 'delay' }>): DelayPlan {
  const zone = node.timezone ?? 'user';
  if (node.untilTime !== undefined) return { type: 'time', time: node.untilTime, days: node.days, zone };
  if (node.untilDate !== undefined) {
    const { property, before, after, time } = node.untilDate;
    return {
      type: 'date',
      property,
      zone,
      ...(before ? { beforeMs: parseDuration(before) } : {}),
      ...(after ? { afterMs: parseDuration(after) } : {}),
      ...(time ? { time } : {}),
    };
  }
  return { type: 'duration', ms: parseDuration(node.duration!) };
}

function nextByBranch(edges: Edge[]): Map<string, Map<string, string>> {
  const next = new Map<string, Map<string, string>>();
  for (const edge of edges) {
    const branches = next.get(edge.from) ?? new Map<string, string>();
    branches.set(branchOf(edge), edge.to);
    next.set(edge.from, branches);
  }
  return next;
}
