/**
 * A send node's message tried before publishing: rendered for a real user or for sample data, with the
 * variables it reads that this user does not have, and sent once to an address of the marketer's through
 * the channel's real provider. The same renderer as the send step (preview.ts), so what previews is what sends.
 */
import { randomUUID } from 'node:crypto';
import Type, { type Static } from 'typebox';
import { channelSenders } from '../channels/senders.ts';
import { CHANNELS, type Channel } from '../core/channels.ts';
import type { EntryEvent, ProfileView } from '../core/instance.ts';
import type { SendNode } from '../core/nodes/send.ts';
import { parseTemplate, templateGlobals, templateScope } from '../core/templates.ts';
import type { Message, MessageContent, Store } from '../store/store.ts';
import { NotFoundError } from './journeys.ts';
import { EVENT_LOOKBACK, PreviewResult, renderPreview } from './preview.ts';

/** Sample data in place of a real user: traits as Profile, an event as Event and EventName. */
export interface SampleData {
  traits?: Record<string, unknown> | undefined;
  event?: { name?: string | undefined; properties?: object | undefined } | undefined;
}

export interface NodePreviewInput {
  journeyId: string;
  nodeId: string;
  /** A published version; absent: the draft. */
  version?: number | undefined;
  /** A real user (their profile and latest entry event); absent: `sample`, else empty data. */
  userId?: string | undefined;
  sample?: SampleData | undefined;
}

export const UndefinedVariable = Type.Object({
  field: Type.String(),
  variable: Type.String({ description: 'As written, e.g. Profile.first_name' }),
  line: Type.Integer(),
  column: Type.Integer(),
});

export const NodePreviewResult = Type.Object({
  channel: Type.String(),
  rendered: PreviewResult.properties.rendered,
  problems: PreviewResult.properties.problems,
  undefinedVariables: Type.Array(UndefinedVariable, {
    description: 'Profile, Event and EventName names the templates read that this user or sample does not have: blank unless a default filter applies',
  }),
  user: Type.Union([Type.Object({ found: Type.Boolean() }), Type.Null()], { description: 'Whether the user asked for has a profile; null for sample data' }),
});
export type NodePreviewResult = Static<typeof NodePreviewResult>;

/** The send node `nodeId` of the journey's draft or of one of its versions. */
export async function sendNodeOf(store: Store, journeyId: string, nodeId: string, version?: number): Promise<SendNode> {
  const journey = await store.getJourney(journeyId);
  if (!journey) throw new NotFoundError(`no journey "${journeyId}"`);
  let definition = journey.draft;
  if (version !== undefined) {
    const found = (await store.listVersions(journeyId)).find((v) => v.version === version);
    if (!found) throw new NotFoundError(`journey "${journeyId}" has no version ${version}`);
    definition = found.definition;
  }
  const node = definition.nodes.find((n) => n.id === nodeId);
  if (!node) throw new NotFoundError(`journey "${journeyId}" has no node "${nodeId}"${version === undefined ? ' in its draft' : ` in version ${version}`}`);
  if (node.kind !== 'send') throw new NotMessageError(`node "${nodeId}" is ${node.kind === 'exit' ? 'an' : 'a'} ${node.kind} node; only send nodes have a message`);
  return node;
}

/** The node is not a send node: a 400 at the API. */
export class NotMessageError extends Error {}

/** No provider is set for the channel: a test send has nothing real to go through (a 409 at the API). */
export class NoProviderError extends Error {}

async function dataFor(store: Store, input: NodePreviewInput): Promise<{ viewer: ProfileView | null; entry: EntryEvent; found: boolean | null }> {
  if (input.userId === undefined) {
    const event = input.sample?.event;
    return {
      viewer: { userId: 'sample', traits: input.sample?.traits ?? {} },
      entry: { messageId: 'sample', name: event?.name ?? '', timestamp: 0, properties: (event?.properties ?? {}) as Record<string, unknown> },
      found: null,
    };
  }
  const [profile, event] = await Promise.all([store.getProfile(input.userId), store.latestUserEvent(input.userId, null, EVENT_LOOKBACK)]);
  return {
    viewer: profile ? { userId: profile.userId, traits: profile.traits } : null,
    entry: event ? { messageId: event.messageId, name: event.name, timestamp: event.timestamp, properties: event.properties } : { messageId: '', name: '', timestamp: 0, properties: {} },
    found: profile !== null,
  };
}

export async function previewNode(store: Store, input: NodePreviewInput): Promise<NodePreviewResult> {
  const node = await sendNodeOf(store, input.journeyId, input.nodeId, input.version);
  const { viewer, entry, found } = await dataFor(store, input);
  const { rendered, problems } = renderPreview(node.channel, node.message, viewer, entry);
  return { channel: node.channel, rendered, problems, undefinedVariables: undefinedVariables(node.channel, node.message, templateScope(viewer, entry)), user: found === null ? null : { found } };
}

/** Each Profile/Event/EventName path a field's template reads that is undefined in `scope`, once per field. */
export function undefinedVariables(channel: Channel, message: SendNode['message'], scope: Record<string, unknown>): NodePreviewResult['undefinedVariables'] {
  const found: NodePreviewResult['undefinedVariables'] = [];
  const fields = message as Record<string, string | undefined>;
  for (const [field, spec] of Object.entries(CHANNELS[channel].content)) {
    const text = fields[field];
    if (!spec.template || text === undefined || !text.includes('{')) continue;
    let globals;
    try {
      globals = templateGlobals(parseTemplate(text));
    } catch {
      continue; // does not parse: a problem already
    }
    const seen = new Set<string>();
    for (const root of ['Profile', 'Event', 'EventName']) {
      for (const variable of globals[root] ?? []) {
        const name = variable.toString();
        if (seen.has(name) || !isUndefined(scope, variable.segments)) continue;
        seen.add(name);
        found.push({ field, variable: name, line: variable.location.row, column: variable.location.col });
      }
    }
  }
  return found;
}

/** Whether the path is undefined in `scope`; a path with a computed part (`Event.items[i]`) is not judged. */
function isUndefined(scope: Record<string, unknown>, segments: ReadonlyArray<unknown>): boolean {
  let value: unknown = scope;
  for (const segment of segments) {
    if (typeof segment !== 'string' && typeof segment !== 'number') return false;
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, segment)) return true;
    value = (value as Record<string | number, unknown>)[segment];
  }
  return value === undefined || value === null;
}

export interface TestSendInput extends NodePreviewInput {
  /** Where to: an email address, phone number or push token (the webhook's own URL for webhooks). */
  to?: string | undefined;
  now: number;
}

export const TestSendResult = Type.Object({
  status: Type.Union([Type.Literal('sent'), Type.Literal('failed'), Type.Literal('transient')], {
    description: 'What the provider answered; a test send is tried once, never retried',
  }),
  provider: Type.Union([Type.String(), Type.Null()]),
  error: Type.Union([Type.String(), Type.Null()]),
  messageId: Type.String({ description: 'The id it was sent with (the provider\'s idempotency key); it is not recorded in the message log' }),
  rendered: PreviewResult.properties.rendered,
});
export type TestSendResult = Static<typeof TestSendResult>;

/** A message that failed to render, or has no address to go to: nothing is sent (a 400 at the API). */
export class TestSendRefused extends Error {
  constructor(readonly problems: Array<{ path: string; message: string }>) {
    super(problems.map((p) => `${p.path}: ${p.message}`).join('; '));
  }
}

/**
 * Renders the node's message as previewNode does and sends it once through the channel's provider to `to`.
 * It is no journey's message: no row in the message log, no stats, no frequency cap counted.
 */
export async function testSend(store: Store, input: TestSendInput): Promise<TestSendResult> {
  const node = await sendNodeOf(store, input.journeyId, input.nodeId, input.version);
  const channel = node.channel;
  if (!(await store.listProviders()).some((p) => p.channel === channel)) {
    throw new NoProviderError(`no provider is set for ${CHANNELS[channel].label}: a test send goes out through the real one (PUT /v1/providers/${channel}, or Settings > Delivery)`);
  }
  const address = CHANNELS[channel].address;
  if (address && !input.to) throw new TestSendRefused([{ path: '/to', message: `${CHANNELS[channel].noun} needs an address to go to (${address.trait})` }]);
  const { viewer, entry } = await dataFor(store, input);
  const { rendered, problems } = renderPreview(channel, node.message, viewer, entry);
  if (problems.length > 0) throw new TestSendRefused(problems.map((p) => ({ path: `/message/${p.field}`, message: p.message })));
  const content: MessageContent = { ...(rendered as Partial<MessageContent>), body: rendered.body ?? '' };
  if (address) content.to = input.to!;
  const message: Message = {
    id: `test-${randomUUID()}`, journeyId: input.journeyId, version: input.version ?? 0, instanceId: 'test', nodeId: input.nodeId,
    userId: viewer?.userId ?? input.userId ?? 'test', channel, status: 'pending', reason: null, content, createdAt: input.now, sentAt: null,
    seq: 0, attempts: 0, claims: 1, sendingAt: null, nextAttemptAt: null, provider: null, clickedAt: null, openedAt: null,
  };
  const senders = await channelSenders(store, { cacheMs: 0, now: () => input.now });
  const [outcome] = await senders[channel].send([message], () => input.now);
  // 'dead' (held in doubt) needs an earlier claim: never a test send's first, but reported as failed if it were.
  return { status: outcome === undefined || outcome.status === 'dead' ? 'failed' : outcome.status, provider: outcome?.provider ?? null, error: outcome?.error ?? null, messageId: message.id, rendered };
}
