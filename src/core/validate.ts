/**
 * Turns untrusted JSON into a compiled journey, or into the full list of what is wrong with it.
 * Every problem is reported at once, each with the path of the field it is about. Node kinds check their own
 * fields (src/core/nodes); this file checks the journey as a whole: the graph, the setup, the goals.
 */
import { Compile } from 'typebox/compile';
import { branchOf } from './branches.ts';
import { compileDefinition, dndWindows, type CompiledJourney } from './compile.ts';
import { JourneyDefinition, type Edge } from './definition.ts';
import { isValidTimeZone } from './dnd.ts';
import { filterProblems } from './filters.ts';
import { NODE_KINDS, NODE_SPECS, specOf, type JourneyNode } from './nodes/index.ts';
import type { Problem } from './problem.ts';
import { allErrors, problemsFromSchemaErrors } from './schema-problems.ts';

export type { Problem };
export { ENTER_EVENT, type CompiledJourney, type CompiledGoal } from './compile.ts';
export type { DelayPlan } from './nodes/delay.ts';

const checkDefinition = Compile(JourneyDefinition);
const checkNode = Object.fromEntries(NODE_KINDS.map((kind) => [kind, Compile(NODE_SPECS[kind].schema)]));

export type CompileResult = { ok: true; journey: CompiledJourney } | { ok: false; problems: Problem[] };

export function compileJourney(input: unknown): CompileResult {
  const problems = schemaProblems(input);
  if (problems.length > 0) return { ok: false, problems };
  const definition = input as JourneyDefinition;
  graphProblems(definition, problems);
  setupProblems(definition, problems);
  definition.nodes.forEach((node, i) => problems.push(...(specOf(node).check?.(node, `/nodes/${i}`, definition) ?? [])));
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, journey: compileDefinition(definition) };
}

/**
 * Schema problems. A node is checked against its own kind's schema, chosen by its `kind`, so a mistake in a
 * node is reported once, not once per kind of the nodes union.
 */
function schemaProblems(input: unknown): Problem[] {
  if (checkDefinition.Check(input)) return [];
  const nodes = (input as { nodes?: unknown })?.nodes;
  const perNode = Array.isArray(nodes);
  const errors = allErrors(checkDefinition, input).filter((e) => !(perNode && e.instancePath.startsWith('/nodes/')));
  const problems = problemsFromSchemaErrors(errors);
  if (perNode) {
    nodes.forEach((node, i) => {
      const path = `/nodes/${i}`;
      const kind = (node as { kind?: unknown })?.kind;
      const check = typeof kind === 'string' && Object.hasOwn(checkNode, kind) ? checkNode[kind] : undefined;
      if (!check) {
        problems.push({ path: `${path}/kind`, message: `unknown node kind ${JSON.stringify(kind)}; expected one of ${NODE_KINDS.join(', ')}` });
        return;
      }
      problems.push(...problemsFromSchemaErrors(allErrors(check, node), path));
    });
  }
  return problems;
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
    branchProblems(node, i, outgoing.get(node.id) ?? [], edgeIndex, problems);
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

/** Every branch a node's kind requires connected exactly once, optional ones at most once, no unknown labels. */
function branchProblems(node: JourneyNode, i: number, edges: Edge[], edgeIndex: Map<Edge, number>, problems: Problem[]): void {
  const spec = specOf(node);
  const branches = [...new Set(spec.branches(node))];
  if (branches.length === 0) {
    if (edges.length > 0) problems.push({ path: `/nodes/${i}`, message: `${node.kind} node "${node.id}" cannot have outgoing edges` });
    return;
  }
  const optional = spec.optionalBranches?.(node) ?? [];
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
}

function hasCycleWithoutDelay(definition: JourneyDefinition, outgoing: Map<string, Edge[]>): boolean {
  const byId = new Map(definition.nodes.map((n) => [n.id, n]));
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (id: string): boolean => {
    const node = byId.get(id);
    if (node && specOf(node).letsTimePass) return false;
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
  const setup = definition.setup ?? {};
  if (setup.timezone !== undefined && !isValidTimeZone(setup.timezone)) problems.push({ path: '/setup/timezone', message: `unknown IANA time zone "${setup.timezone}"` });
  const dnd = setup.dnd;
  if (dnd) {
    if ((dnd.start === undefined) !== (dnd.end === undefined)) problems.push({ path: '/setup/dnd', message: 'give both "start" and "end", or neither' });
    if (dnd.start === undefined && dnd.windows === undefined) problems.push({ path: '/setup/dnd', message: 'give "start" and "end" (every day) or "windows" (per weekday)' });
    // Empty on any days: DND hours that silently never apply are worse than an error.
    if (dndWindows(dnd).some((w) => w.start === w.end)) {
      problems.push({ path: '/setup/dnd', message: 'a window from a time to the same time is empty; leave it out' });
    }
  }
  if (setup.startAt !== undefined && setup.endAt !== undefined && Date.parse(setup.endAt) <= Date.parse(setup.startAt)) {
    problems.push({ path: '/setup/endAt', message: 'endAt must be after startAt' });
  }
  if (setup.reentryCooldown !== undefined && (setup.reentry ?? 'never') !== 'afterExit') {
    problems.push({ path: '/setup/reentryCooldown', message: "a cool-down needs reentry 'afterExit'" });
  }
  const goals = new Set<string>();
  (definition.goals ?? []).forEach((goal, i) => {
    if (goals.has(goal.id)) problems.push({ path: `/goals/${i}/id`, message: `duplicate goal id "${goal.id}"` });
    goals.add(goal.id);
    problems.push(...filterProblems(goal.where, `/goals/${i}/where`));
  });
}
