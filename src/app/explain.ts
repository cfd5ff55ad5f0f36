/**
 * "Why did (or didn't) this user get each message?" Answered from what the engine already records: the
 * user's instances (status, current node, exit) and the message log, read against each instance's version.
 */
import type { JourneyDefinition, JourneyNode } from '../core/definition.ts';
import { SKIP_REASONS } from '../core/channels.ts';
import type { Instance } from '../core/instance.ts';
import { specOf } from '../core/nodes/index.ts';
import type { JourneyRecord, Message, PageRequest, Store, StoredEvent } from '../store/store.ts';
import { NotFoundError } from './journeys.ts';
import type { ExplainResult } from './views.ts';

type Step = ExplainResult['journeys'][number]['steps'][number];
type Explained = ExplainResult['journeys'][number];

export interface ExplainInput {
  userId: string;
  /** Newest first. */
  instances: Instance[];
  /** The definition of each (journey, version) the instances ran. */
  definitionOf(journeyId: string, version: number): JourneyDefinition | undefined;
  messages: Message[];
  /** When the caller asked about one journey: it and the user's recent events, to say why there is no instance. */
  asked?: { journey: JourneyRecord; entryEvent: string | null; events: StoredEvent[] };
}

/** Most of a user's events read to say why they never entered, newest first. */
const MAX_EVENTS = 1_000;

/**
 * Explains a user from the store, a page of their journey instances at a time (most recently changed first):
 * every journey of theirs, or only `journeyId` (NotFoundError when there is no such journey), then a note when
 * the user never entered it. Only the messages of the instances on the page are read.
 */
export async function explainUser(store: Store, userId: string, options: { journeyId?: string | undefined } & Partial<PageRequest> = {}): Promise<ExplainResult & { nextCursor: string | null }> {
  const { journeyId, limit = 50, cursor } = options;
  const journey = journeyId === undefined ? null : await store.getJourney(journeyId);
  if (journeyId !== undefined && !journey) throw new NotFoundError(`no journey "${journeyId}"`);
  const page = await store.userInstancePage(userId, { limit, cursor, journeyId });
  const instances = page.items;
  const definitions = new Map<string, JourneyDefinition>();
  for (const id of new Set(instances.map((i) => i.journeyId))) {
    for (const v of await store.listVersions(id)) definitions.set(`${id}@${v.version}`, v.definition);
  }
  const input: ExplainInput = {
    userId,
    instances,
    definitionOf: (id, version) => definitions.get(`${id}@${version}`),
    messages: await store.messagesOfInstances(instances.map((i) => i.id)),
  };
  // Only a user with no pass through the journey needs to hear why (see explainView): read the rest only then.
  if (journey && instances.length === 0) {
    const newest = journey.version === null ? undefined : (await store.listVersions(journey.id)).find((v) => v.version === journey.version);
    const entry = (newest?.definition ?? journey.draft).nodes.find((n) => n.kind === 'entry');
    input.asked = { journey, entryEvent: entry?.kind === 'entry' && 'event' in entry.trigger ? entry.trigger.event : null, events: await store.userEvents(userId, MAX_EVENTS) };
  }
  return { ...explainView(input), nextCursor: page.nextCursor };
}


/** The explanation from what was read: pure, so it is tested without a store. */
export function explainView(input: ExplainInput): ExplainResult {
  const journeys = input.instances.map((instance) => explainInstance(instance, input.definitionOf(instance.journeyId, instance.version), input.messages));
  const notes: string[] = [];
  if (input.asked && journeys.length === 0) notes.push(whyNoInstance(input.asked));
  if (!input.asked && journeys.length === 0) notes.push('this user has not triggered any journey');
  return { userId: input.userId, journeys, notes };
}

function explainInstance(instance: Instance, definition: JourneyDefinition | undefined, messages: Message[]): Explained {
  const base = {
    journeyId: instance.journeyId,
    version: instance.version,
    instanceId: instance.id,
    status: instance.status,
    enteredAt: iso(instance.enteredAt),
    exit: instance.exit ? { ...instance.exit, at: iso(instance.exit.at)! } : null,
  };
  if (!definition) return { ...base, summary: `version ${instance.version} of "${instance.journeyId}" is not stored; nothing more can be said`, steps: [] };
  const chain = walk(definition);
  const mine = messages.filter((m) => m.instanceId === instance.id);
  const steps: Step[] = [];
  for (const node of chain) {
    if (node.kind !== 'send') continue;
    const sent = mine.filter((m) => m.nodeId === node.id);
    if (sent.length > 0) steps.push(...sent.map(fromMessage));
    else steps.push({ nodeId: node.id, channel: node.channel, ...unsent(instance, definition, chain, node) });
  }
  return { ...base, summary: summarize(instance, definition), steps };
}

/** The nodes in the order a user meets them: breadth first from the entry, branches in edge order. */
function walk(definition: JourneyDefinition): JourneyNode[] {
  const byId = new Map(definition.nodes.map((n) => [n.id, n]));
  const entry = definition.nodes.find((n) => n.kind === 'entry');
  const chain: JourneyNode[] = entry ? [entry] : [];
  const seen = new Set(chain.map((n) => n.id));
  for (let i = 0; i < chain.length; i++) {
    for (const id of successors(definition, chain[i]!.id)) {
      const node = byId.get(id);
      if (node && !seen.has(id)) {
        seen.add(id);
        chain.push(node);
      }
    }
  }
  // Validation makes every node reachable; list any other send nodes anyway rather than hide them.
  for (const n of definition.nodes) if (!seen.has(n.id)) chain.push(n);
  return chain;
}

function successors(definition: JourneyDefinition, id: string): string[] {
  return definition.edges.filter((e) => e.from === id).map((e) => e.to);
}

/** Whether `to` can still be reached from `from` (a branch not taken cannot). */
function reachable(definition: JourneyDefinition, from: string, to: string): boolean {
  const seen = new Set([from]);
  const queue = [from];
  while (queue.length > 0) {
    for (const next of successors(definition, queue.shift()!)) {
      if (next === to) return true;
      if (!seen.has(next)) {
        seen.add(next);
        queue.push(next);
      }
    }
  }
  return false;
}

function fromMessage(m: Message): Step {
  const base = { nodeId: m.nodeId, channel: m.channel };
  switch (m.status) {
    case 'sent':
      return { ...base, outcome: 'sent', at: iso(m.sentAt), reason: null, detail: `sent by ${m.channel}${m.content?.to ? ` to ${m.content.to}` : ''} at ${iso(m.sentAt)}` };
    case 'delivered':
      return { ...base, outcome: 'sent', at: iso(m.sentAt), reason: null, detail: `sent by ${m.channel}${m.content?.to ? ` to ${m.content.to}` : ''} at ${iso(m.sentAt)}, delivered (the provider says)` };
    case 'skipped':
      return { ...base, outcome: 'skipped', at: iso(m.createdAt), reason: m.reason, detail: SKIP_REASONS[m.reason ?? ''] ?? `skipped: ${m.reason ?? 'no reason recorded'}` };
    case 'failed':
      if (m.reason?.startsWith('render_failed:')) return { ...base, outcome: 'failed', at: iso(m.createdAt), reason: m.reason, detail: `not sent: the template failed to render for this user (${m.reason.slice('render_failed: '.length)})` };
      return { ...base, outcome: 'failed', at: iso(m.sentAt ?? m.createdAt), reason: m.reason, detail: `delivery failed after ${m.attempts} attempt(s)${m.reason ? `: ${m.reason}` : ''}` };
    case 'dead':
      return { ...base, outcome: 'failed', at: iso(m.sentAt ?? m.createdAt), reason: m.reason, detail: `dead-lettered after ${m.attempts} attempt(s)${m.reason ? `: ${m.reason}` : ''}` };
    case 'bounced':
      return { ...base, outcome: 'failed', at: iso(m.sentAt ?? m.createdAt), reason: m.reason, detail: `sent by ${m.channel}${m.content?.to ? ` to ${m.content.to}` : ''} at ${iso(m.sentAt)}, then bounced${m.reason ? `: ${m.reason}` : ''}` };
    case 'pending':
      if (m.attempts > 0) return { ...base, outcome: 'pending', at: null, reason: 'retrying', detail: `queued for a retry after ${m.attempts} attempt(s)${m.reason ? ` (${m.reason})` : ''}` };
      return { ...base, outcome: 'pending', at: null, reason: 'queued', detail: `queued for delivery since ${iso(m.createdAt)}` };
  }
}

/** Why a send node of this instance has no message. */
function unsent(instance: Instance, definition: JourneyDefinition, chain: JourneyNode[], node: JourneyNode): Omit<Step, 'nodeId' | 'channel'> {
  if (wasControl(instance)) {
    return { outcome: 'not_reached', at: null, reason: 'control_group', detail: 'held out in the control group: control users get no messages (their conversions still count)' };
  }
  if (instance.status === 'pending') return { outcome: 'pending', at: null, reason: 'not_yet_qualified', detail: waitingToQualify(instance, definition) };
  if (instance.status === 'exited') {
    if (instance.exit!.reason === 'completed') return { outcome: 'not_reached', at: null, reason: 'other_branch', detail: 'not on the path this user took: a branch led elsewhere' };
    return { outcome: 'not_reached', at: null, reason: instance.exit!.reason, detail: `not reached: ${exitText(instance, definition)}` };
  }
  if (instance.nodeId === node.id) {
    return { outcome: 'pending', at: null, reason: 'dnd_deferred', detail: `due at ${iso(instance.nodeUntil)}: deferred past do-not-disturb hours` };
  }
  const here = chain.find((n) => n.id === instance.nodeId);
  if (instance.nodeId !== null && reachable(definition, instance.nodeId, node.id)) {
    return { outcome: 'pending', at: null, reason: 'waiting', detail: `not yet: the user is waiting at ${at(here, instance.nodeUntil)}` };
  }
  if (instance.nodeId !== null && reachable(definition, node.id, instance.nodeId)) {
    return { outcome: 'not_reached', at: null, reason: null, detail: 'the user went past this node but no message was recorded' };
  }
  return { outcome: 'not_reached', at: null, reason: 'other_branch', detail: 'not on the path this user is on: a branch led elsewhere' };
}

function summarize(instance: Instance, definition: JourneyDefinition): string {
  switch (instance.status) {
    case 'pending':
      return waitingToQualify(instance, definition);
    case 'control':
      return `in the control group since ${iso(instance.enteredAt)}, watched for conversions until ${iso(instance.timeoutAt)}; gets no messages`;
    case 'active': {
      const node = definition.nodes.find((n) => n.id === instance.nodeId);
      return `in the journey since ${iso(instance.enteredAt)}, now at ${at(node, instance.nodeUntil)}`;
    }
    case 'exited':
      return exitText(instance, definition);
  }
}

function waitingToQualify(instance: Instance, definition: JourneyDefinition): string {
  const trigger = entryTrigger(definition);
  const unless = trigger?.type === 'inaction' ? ` unless "${trigger.notEvent}" comes first` : '';
  return `waiting to qualify: enters at ${iso(instance.nodeUntil)}${unless}`;
}

function exitText(instance: Instance, definition: JourneyDefinition): string {
  const exit = instance.exit!;
  const when = iso(exit.at);
  const where = exit.nodeId ? ` at node "${exit.nodeId}"` : '';
  switch (exit.reason) {
    case 'not_qualified': {
      const trigger = entryTrigger(definition);
      return trigger?.type === 'inaction'
        ? `never qualified: "${trigger.notEvent}" came within ${trigger.within} of "${trigger.event}" (at ${when})`
        : `never qualified (at ${when})`;
    }
    case 'goal': {
      const goal = definition.goals?.find((g) => g.id === exit.goalId);
      const group = wasControl(instance) ? ' as a control-group user' : '';
      return `exited on goal "${exit.goalId ?? '?'}"${goal ? ` ("${goal.event}")` : ''}${where} at ${when}${group}`;
    }
    case 'timeout':
      return `the journey timed out for this user${where} at ${when}`;
    case 'stopped':
      return `the journey was stopped${where} at ${when}`;
    case 'completed':
      return `completed the journey at ${when}`;
    case 'merged':
      return `left${where} at ${when}: this user was merged with another who was in the journey already (their earlier pass goes on)`;
  }
}

/** Control users enter with no node and never get one; everyone else walks from the entry node. */
function wasControl(instance: Instance): boolean {
  return instance.status === 'control' || (instance.enteredAt !== null && instance.nodeId === null);
}

function at(node: JourneyNode | undefined, until: number | null): string {
  if (!node) return 'an unknown node';
  const phrase = specOf(node).explain?.(node);
  return `${node.kind} node "${node.id}"${phrase ? ` (${phrase})` : ''}${until !== null ? ` until ${iso(until)}` : ''}`;
}

function whyNoInstance(asked: NonNullable<ExplainInput['asked']>): string {
  const { journey, entryEvent, events } = asked;
  if (journey.version === null) return `"${journey.id}" has never been published, so nobody has entered it`;
  if (entryEvent === null) return `"${journey.id}" does not start on an event of the user's: ${scheduledEntryText(asked)}`;
  const triggers = events.filter((e) => e.name === entryEvent);
  if (triggers.length === 0) return `no "${entryEvent}" event is recorded for this user, so "${journey.id}" never started for them`;
  return (
    `"${entryEvent}" was recorded (latest at ${iso(triggers[0]!.timestamp)}) but started no instance: the journey was not ` +
    `running then (now ${journey.status}), or the event fell outside its entry timeline or a re-entry cool-down`
  );
}

function scheduledEntryText(asked: NonNullable<ExplainInput['asked']>): string {
  const trigger = entryTrigger(asked.journey.draft);
  switch (trigger?.type) {
    case 'segment':
      return 'users enter when they match its segment at a scheduled run, and this user has not matched at any run since it was published';
    case 'date':
      return `users enter at a moment from the profile's "${trigger.property}" trait, and this user's is missing, unreadable or not yet come`;
    case 'journey':
      return `users enter when they reach node "${trigger.nodeId}" of journey "${trigger.journeyId}", which this user has not`;
    default:
      return 'it has no entry trigger';
  }
}

function entryTrigger(definition: JourneyDefinition) {
  const entry = definition.nodes.find((n) => n.kind === 'entry');
  return entry?.kind === 'entry' ? entry.trigger : undefined;
}

function iso(ms: number | null | undefined): string | null {
  return ms === null || ms === undefined ? null : new Date(ms).toISOString();
}
