/**
 * The composer's preview: a message's fields rendered for one real user, as the send step would render
 * them, with the same checks a save makes. The send node's own check (required fields, templates that
 * parse, read no file, loop over no huge range) and the engine's renderer (the sandboxed Liquid, its limits,
 * the Profile and Event variables) are used as they are, so what previews is what sends.
 */
import Type, { type Static } from 'typebox';
import { CHANNELS, type Channel, type ChannelSpec } from '../core/channels.ts';
import type { JourneyDefinition } from '../core/definition.ts';
import type { EntryEvent, ProfileView } from '../core/instance.ts';
import { send, type SendNode } from '../core/nodes/send.ts';
import type { Problem } from '../core/problem.ts';
import { renderMessage } from '../core/templates.ts';
import type { StoredEvent, Store } from '../store/store.ts';

/** The user's newest events looked through for the one named: a user's latest of a name is rarely further back. */
export const EVENT_LOOKBACK = 1_000;

export interface PreviewInput {
  channel: Channel;
  /** Field name to its text, as a send node's `message` holds them. */
  content: SendNode['message'];
  userId: string;
  /** The event whose properties are `Event` (the user's latest of that name); absent: their latest event. */
  event?: string | undefined;
}

export const PreviewResult = Type.Object({
  rendered: Type.Record(Type.String(), Type.String(), { description: 'Each field given that rendered, by name (a field that is not a template, such as a webhook URL, as given)' }),
  problems: Type.Array(Type.Object({ field: Type.String(), message: Type.String() }), {
    description: 'What a save would refuse (a required field missing, a template that does not parse or reads a file) and templates that failed to render for this user',
  }),
  user: Type.Object({ found: Type.Boolean({ description: 'Whether the user has a profile; without one, Profile is empty, as when sending' }) }),
  event: Type.Union(
    [
      Type.Object({ messageId: Type.String(), userId: Type.String(), name: Type.String(), timestamp: Type.Integer(), properties: Type.Object({}, { additionalProperties: true }), receivedAt: Type.Integer() }),
      Type.Null(),
    ],
    { description: `The event rendered as Event and EventName, or null when the user has none of that name among their newest ${EVENT_LOOKBACK} (Event is then empty)` },
  ),
});
export type PreviewResult = Static<typeof PreviewResult>;

/** Fields given that the channel's messages do not have, as problems at /content/<field>. */
export function contentProblems(channel: Channel, content: Record<string, unknown>): Problem[] {
  const spec: ChannelSpec = CHANNELS[channel];
  const fields = Object.keys(spec.content);
  return Object.keys(content)
    .filter((name) => !fields.includes(name))
    .map((name) => ({ path: `/content/${name}`, message: `${spec.noun} has no ${name} (its fields: ${fields.join(', ')})` }));
}

export async function previewMessage(store: Store, input: PreviewInput): Promise<PreviewResult> {
  const [profile, event] = await Promise.all([store.getProfile(input.userId), store.latestUserEvent(input.userId, input.event ?? null, EVENT_LOOKBACK)]);
  const viewer = profile ? { userId: profile.userId, traits: profile.traits } : null;
  return { ...renderPreview(input.channel, input.content, viewer, entryOf(event, input.event)), user: { found: profile !== null }, event };
}

/** The fields rendered for a profile and entry event given as they are (a real user's, or sample data). */
export function renderPreview(
  channel: Channel,
  content: SendNode['message'],
  viewer: ProfileView | null,
  entry: EntryEvent,
): Pick<PreviewResult, 'rendered' | 'problems'> {
  const problems: PreviewResult['problems'] = [];
  const refused = new Set<string>();
  const node: SendNode = { id: 'preview', kind: 'send', channel, message: content };
  const journey: JourneyDefinition = { name: 'preview', nodes: [node], edges: [] };
  for (const problem of send.check?.(node, '', journey) ?? []) {
    const field = problem.path.split('/')[2]!; // "/message/<field>"
    refused.add(field);
    problems.push({ field, message: problem.message });
  }
  const rendered: Record<string, string> = {};
  const fields = content as Record<string, string | undefined>;
  for (const [name, field] of Object.entries(CHANNELS[channel].content)) {
    const text = fields[name];
    if (text === undefined || refused.has(name)) continue;
    if (!field.template) {
      rendered[name] = text;
      continue;
    }
    // One field at a time through the engine's renderer, in the body's place, so each fails on its own.
    const result = renderMessage({ body: text }, viewer, entry);
    if (result.ok) rendered[name] = result.content.body;
    else problems.push({ field: name, message: result.error.replace(/^body: /, '') });
  }
  return { rendered, problems };
}

/** The event as an entry event; without one, empty properties and the name asked for (blank for none). */
function entryOf(event: StoredEvent | null, asked: string | undefined): EntryEvent {
  if (event) return { messageId: event.messageId, name: event.name, timestamp: event.timestamp, properties: event.properties };
  return { messageId: '', name: asked ?? '', timestamp: 0, properties: {} };
}
