/**
 * What the dashboard knows about node kinds: the server's registry (GET /v1/meta/nodes) when it answers,
 * else the kind names. Structural types, not the generated client's, so this stays testable without a build.
 */

export interface BranchMeta {
  name: string;
  label: string;
  optional: boolean;
}

export interface NodeMeta {
  kind: string;
  label: string;
  category: string;
  description: string;
  fields: string[];
  branches: BranchMeta[];
  /** 'variants': the branches are the node's variants (an A/B split), named by the journey. */
  branchesFrom?: string;
  /** The per-node counters of the stats that this kind shows, in order. */
  counters?: string[];
}

export interface ChannelMeta {
  name: string;
  label: string;
}

export interface Registry {
  nodes: NodeMeta[];
  channels: ChannelMeta[];
}

/** Colour families of the canvas; the registry's category when it gives one, else by kind. */
export type Tone = 'entry' | 'message' | 'time' | 'branch' | 'profile' | 'exit';

const TONE_OF_KIND: Record<string, Tone> = {
  entry: 'entry',
  send: 'message',
  delay: 'time',
  wait: 'time',
  split: 'branch',
  abSplit: 'branch',
  updateProfile: 'profile',
  exit: 'exit',
};

const TONE_OF_CATEGORY: Record<string, Tone> = {
  entry: 'entry',
  trigger: 'entry',
  message: 'message',
  messaging: 'message',
  engagement: 'message',
  flow: 'time',
  timing: 'time',
  time: 'time',
  branch: 'branch',
  branching: 'branch',
  logic: 'branch',
  profile: 'profile',
  action: 'profile',
  data: 'profile',
  exit: 'exit',
};

export function toneOf(kind: string, registry: Registry | null): Tone {
  const category = registry?.nodes.find((n) => n.kind === kind)?.category;
  return (category && TONE_OF_CATEGORY[category.toLowerCase()]) || TONE_OF_KIND[kind] || 'profile';
}

/** The node kind's label, or its name while the server has no registry. */
export function kindLabel(kind: string, registry: Registry | null): string {
  return registry?.nodes.find((n) => n.kind === kind)?.label ?? kind;
}

/** The counters a kind's card shows: the registry's, else a guess from the kind. */
export function countersOf(kind: string, registry: Registry | null): string[] {
  const counters = registry?.nodes.find((n) => n.kind === kind)?.counters;
  if (counters) return counters;
  if (kind === 'entry') return [];
  return kind === 'send' ? ['entered', 'sent', 'failed', 'skipped', 'opened', 'clicked', 'goal'] : ['entered', 'missed', 'goal'];
}

export function channelLabel(channel: string, registry: Registry | null): string {
  return registry?.channels.find((c) => c.name === channel)?.label ?? channel;
}

/** The label of a branch of a node kind: the registry's, or the branch name. */
export function branchLabel(kind: string, branch: string, registry: Registry | null): string {
  return registry?.nodes.find((n) => n.kind === kind)?.branches.find((b) => b.name === branch)?.label ?? branch;
}

/** Accepts the registry only if it has the documented shape: a half-deployed server must not break the page. */
export function asRegistry(value: unknown): Registry | null {
  if (!value || typeof value !== 'object') return null;
  const { nodes, channels } = value as Record<string, unknown>;
  if (!Array.isArray(nodes) || !nodes.every(isNodeMeta)) return null;
  return { nodes, channels: Array.isArray(channels) ? channels.filter(isChannelMeta) : [] };
}

function isNodeMeta(n: unknown): n is NodeMeta {
  if (!n || typeof n !== 'object') return false;
  const o = n as Record<string, unknown>;
  return typeof o.kind === 'string' && typeof o.label === 'string' && Array.isArray(o.branches) && o.branches.every((b) => b && typeof b.name === 'string' && typeof b.label === 'string');
}

function isChannelMeta(c: unknown): c is ChannelMeta {
  return !!c && typeof c === 'object' && typeof (c as ChannelMeta).name === 'string' && typeof (c as ChannelMeta).label === 'string';
}
