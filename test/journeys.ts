/** Journey fixtures shared by the interpreter's tests and the engine's. */
import type { JourneyDefinition } from '../src/core/definition.ts';

/**
 * On Charged: write `set` to the profile, then split on the trait vip: a push (`pushBody`) for VIPs, an
 * email for the rest.
 */
export function tagVip(set: Record<string, string | number | boolean | null>, pushBody: string): JourneyDefinition {
  return {
    name: 'tag',
    nodes: [
      { id: 'in', kind: 'entry', trigger: { type: 'action', event: 'Charged' } },
      { id: 'tag', kind: 'updateProfile', set },
      { id: 'is-vip', kind: 'split', where: [{ property: 'vip', op: '=', value: true }] },
      { id: 'p', kind: 'send', channel: 'push', message: { title: 'VIP', body: pushBody } },
      { id: 'e', kind: 'send', channel: 'email', message: { subject: 's', body: 'not vip' } },
      { id: 'out', kind: 'exit' },
    ],
    edges: [
      { from: 'in', to: 'tag' },
      { from: 'tag', to: 'is-vip' },
      { from: 'is-vip', to: 'p', branch: 'yes' },
      { from: 'is-vip', to: 'e', branch: 'no' },
      { from: 'p', to: 'out' },
      { from: 'e', to: 'out' },
    ],
  };
}

/**
 * A journey from its nodes in path order: each node leads to the next one ("next"), except exits and the
 * nodes `branches` gives edges of their own (splits, waits, sends with an unreachable way out).
 */
export function path(name: string, nodes: JourneyDefinition['nodes'], more: Omit<Partial<JourneyDefinition>, 'nodes' | 'edges'> & { branches?: JourneyDefinition['edges'] } = {}): JourneyDefinition {
  const { branches = [], ...rest } = more;
  const branched = new Set(branches.map((e) => e.from));
  const edges: JourneyDefinition['edges'] = [];
  nodes.forEach((node, i) => {
    const next = nodes[i + 1];
    if (next && node.kind !== 'exit' && !branched.has(node.id)) edges.push({ from: node.id, to: next.id });
  });
  return { name, ...rest, nodes, edges: [...edges, ...branches] };
}

/** An hour after signing up, a push, and another an hour later; a Charged at any time exits the user. */
export const REMINDER = path(
  'reminder',
  [
    { id: 'in', kind: 'entry', trigger: { type: 'action', event: 'Signed Up' } },
    { id: 'later', kind: 'delay', duration: '1h' },
    { id: 'push', kind: 'send', channel: 'push', message: { title: 't', body: 'b' } },
    { id: 'again', kind: 'delay', duration: '1h' },
    { id: 'push-again', kind: 'send', channel: 'push', message: { title: 't', body: 'again' } },
    { id: 'out', kind: 'exit' },
  ],
  { goals: [{ id: 'bought', event: 'Charged', exitOnGoal: true }] },
);
