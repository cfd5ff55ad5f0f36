/**
 * Sends one message on a channel (channels.ts says what each one needs), then goes on. Do-not-disturb hours,
 * the project's frequency caps and the user's address and opt-outs are judged at the moment of sending.
 */
import Type, { type Static } from 'typebox';
import { NEXT, UNREACHABLE } from '../branches.ts';
import { CHANNELS, Channel, channelSpec, unreachableReason, type ContentField } from '../channels.ts';
import { firstAllowedMoment } from '../dnd.ts';
import type { SkipReason } from '../instance.ts';
import type { Problem } from '../problem.ts';
import { Id } from '../schema-parts.ts';
import { templateProblems } from '../templates.ts';
import { go, type CapContext, type Decision, type Walk } from '../step.ts';
import type { NodeSpec } from './spec.ts';

type ContentName = { [C in Channel]: keyof (typeof CHANNELS)[C]['content'] }[Channel];

/** Every content field of every channel; `body` is the one all of them have. */
const FIELDS = new Map<string, ContentField>();
for (const spec of Object.values(CHANNELS)) for (const [name, field] of Object.entries(spec.content)) if (!FIELDS.has(name)) FIELDS.set(name, field);

export const Message = Type.Unsafe<{ body: string } & Partial<Record<ContentName, string>>>(
  Type.Object(
    Object.fromEntries(
      [...FIELDS].map(([name, field]) => {
        const text = Type.String({ maxLength: field.maxLength, ...(field.template ? { description: 'Liquid template over Profile and Event' } : {}) });
        const everywhere = Object.values(CHANNELS).every((c) => name in c.content);
        return [name, everywhere ? text : Type.Optional(text)];
      }),
    ),
    {
      additionalProperties: false,
      description: Object.entries(CHANNELS)
        .map(([name, c]) => `${name}: ${Object.keys(c.content).join(' + ')}`)
        .join('; '),
    },
  ),
);
export type Message = Static<typeof Message>;

export const SendNode = Type.Object(
  { id: Id, kind: Type.Literal('send'), channel: Channel, message: Message },
  { additionalProperties: false, description: 'Send one message on a channel, then go on.' },
);
export type SendNode = Static<typeof SendNode>;

export const send: NodeSpec<SendNode> = {
  kind: 'send', schema: SendNode,
  meta: {
    label: 'Send message', category: 'message', description: 'Send a push, SMS, WhatsApp, email, in-app inbox message or webhook, personalized with Liquid',
    fields: ['channel', 'message'], branches: [{ name: NEXT, label: 'Sent' }, { name: UNREACHABLE, label: 'Unreachable', optional: true }], counters: ['entered', 'sent', 'failed', 'skipped', 'opened', 'clicked', 'goal'],
  },
  branches: () => [NEXT],
  optionalBranches: () => [UNREACHABLE],
  check(node, path) {
    const spec = channelSpec(node.channel);
    const problems: Problem[] = [];
    const message = node.message as Record<string, string | undefined>;
    for (const [name, field] of Object.entries(spec.content)) {
      if (field.required && message[name] === undefined) problems.push({ path: `${path}/message/${name}`, message: `${spec.noun} needs a ${name}` });
      // The schema holds each field to the loosest channel's limit; a channel with a tighter one (WhatsApp) says so here.
      const text = message[name];
      if (text !== undefined && text.length > field.maxLength) problems.push({ path: `${path}/message/${name}`, message: `${spec.noun}'s ${name} is at most ${field.maxLength} characters` });
    }
    // Every template field given, the channel's or not: it must parse, within the limits, and read no file.
    for (const [name, text] of Object.entries(message)) {
      if (text !== undefined && FIELDS.get(name)?.template) problems.push(...templateProblems(text, `${path}/message/${name}`));
    }
    return problems;
  },
  plan: () => undefined,
  arrive(node, walk) {
    const allowedAt = allowedSendTime(walk);
    if (allowedAt === null) {
      skip(walk, node, 'dnd');
      return go(unreachable(walk, node.id));
    }
    if (allowedAt > walk.env.now) return { type: 'wait', until: allowedAt }; // deferred past DND hours; sent on the timer
    return deliver(walk, node);
  },
  resume: (node, walk) => deliver(walk, node),
  explain: () => 'deferred past do-not-disturb hours',
  publishChecks(node, _journey, context, findings) {
    const address = channelSpec(node.channel).address;
    if (context.knownTraits === null || address === null || context.knownTraits.has(address.trait)) return;
    findings.warnings.push({
      path: `/nodes/${context.index.get(node.id)}/channel`,
      message: `send "${node.id}" is ${channelSpec(node.channel).noun}, but no profile has a "${address.trait}" trait: it would be skipped for every user`,
    });
  },
};

function deliver(walk: Walk, node: SendNode): Decision {
  return go(sendNow(walk, node) ? NEXT : unreachable(walk, node.id));
}

/** The way out of a send whose message was not sent: "unreachable" when drawn, else on as usual. */
function unreachable(walk: Walk, nodeId: string): string {
  return walk.has(nodeId, UNREACHABLE) ? UNREACHABLE : NEXT;
}

/** When the send may happen: now, later (DND with defer), or never (DND with skip). Judged at the actual moment of sending. */
function allowedSendTime(walk: Walk): number | null {
  const dnd = walk.journey.dnd;
  const now = walk.env.now;
  if (!dnd) return now;
  const allowed = firstAllowedMoment(now, dnd.windows, walk.zone(dnd.zone));
  if (allowed === now) return now;
  return dnd.whenInDnd === 'defer' ? allowed : null;
}

/** Sends, or records why not (skipped, or failed to render); true when the message was handed to its channel. */
function sendNow(walk: Walk, node: SendNode): boolean {
  const reason = unreachableReason(node.channel, walk.profile?.traits);
  if (reason) {
    skip(walk, node, reason);
    return false;
  }
  if (!walk.journey.ignoreFrequencyCaps && capped(walk.env.caps, node.channel, walk.env.now, walk.sentThisStep)) {
    skip(walk, node, 'frequency_cap');
    return false;
  }
  const sendId = sendIdOf(walk, node.id);
  const rendered = walk.env.render?.(node.message, walk.profile, walk.instance.entryEvent) ?? null;
  if (rendered && !rendered.ok) {
    // One user's template failing (a runaway loop, a bad value) fails this message only: the failure path.
    walk.emit({ type: 'fail', sendId, nodeId: node.id, channel: node.channel, reason: 'render_failed', detail: rendered.error });
    walk.record(node.id, 'failed');
    return false;
  }
  walk.emit(rendered ? { type: 'send', sendId, nodeId: node.id, channel: node.channel, content: rendered.content } : { type: 'send', sendId, nodeId: node.id, channel: node.channel });
  walk.noteSent(node.channel);
  walk.record(node.id, 'sent');
  return true;
}

function skip(walk: Walk, node: SendNode, reason: SkipReason): void {
  walk.emit({ type: 'skip', sendId: sendIdOf(walk, node.id), nodeId: node.id, channel: node.channel, reason });
  walk.count('node_skipped', node.id);
  walk.record(node.id, 'unreachable');
}

/**
 * Deterministic: the instance, the node, and which visit of the walk this is. The instance's id comes first:
 * the SQLite store finds an instance's messages by that prefix (store/sqlite/instance-messages.ts).
 */
function sendIdOf(walk: Walk, nodeId: string): string {
  return `${walk.instance.id}:${nodeId}:${walk.instance.step}`;
}

/** Whether one more message on `channel` at `now` would break a cap, counting `sent` (this step's own sends) too. */
export function capped(caps: CapContext | undefined, channel: Channel, now: number, sent: ReadonlyArray<{ channel: Channel; at: number }> = []): boolean {
  if (!caps) return false;
  return caps.rules.some((rule) => {
    if (rule.channel !== undefined && rule.channel !== channel) return false;
    const counts = (m: { channel: Channel; at: number }) => m.at > now - rule.perMs && m.at <= now && (rule.channel === undefined || m.channel === rule.channel);
    let n = 0;
    for (const m of caps.recent) if (counts(m)) n++;
    for (const m of sent) if (counts(m)) n++;
    return n >= rule.max;
  });
}
