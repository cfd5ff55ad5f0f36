/**
 * Every prompt the copy assistant sends, in one place, so a team can read and change what the model is asked.
 * What goes in: the channel, its fields and limits, the journey's goal, the tone, the language, and the
 * names (with their types, never their values) of the traits and entry-event properties the project has
 * seen. Nothing else about users is sent.
 */
import { channelSpec, type Channel } from '../core/channels.ts';
import type { ChatMessage } from './client.ts';
import { copyFields } from './checks.ts';
import type { KnownName, KnownNames } from './names.ts';

export interface SuggestBrief {
  channel: Channel;
  n: number;
  tone: string;
  language: string;
  /** The journey's goal, in the marketer's words or as its goal event. */
  goal: string | null;
  /** More to say to the model: the offer, the product, what to avoid. */
  notes: string | null;
}

/** Names listed at most per root: the most common first, as the catalog orders them. */
const MAX_NAMES = 60;

const SYSTEM = `You write marketing copy for messages that a customer-journey tool sends to one user at a time.
Personalize with Liquid: {{ Profile.<trait> }} for the user's traits, {{ Event.<property> }} for the event that started the journey.
Rules:
- Use only the names listed as available. Never invent one.
- A name marked "optional" is missing for some users: always write it with a default, e.g. {{ Profile.first_name | default: "there" }}.
- Use only {{ ... }} output tags and simple filters (default, capitalize, upcase, downcase). No {% include %}, {% render %} or loops.
- Respect every length limit; shorter is better.
- Answer with JSON only, no prose and no code fence, exactly: {"variants": [ { <field>: <text>, ... }, ... ]}.`;

export function suggestMessages(brief: SuggestBrief, names: KnownNames): ChatMessage[] {
  const spec = channelSpec(brief.channel);
  const fields = copyFields(brief.channel).map((field) => {
    const limit = spec.copyLimits?.[field];
    const bound = !limit ? '' : 'chars' in limit ? ` (at most ${limit.chars} characters once rendered)` : ` (at most ${limit.segments} SMS segments once rendered: ${limit.segments === 1 ? 160 : 153 * limit.segments} plain characters, fewer with emoji or accents)`;
    return `- "${field}": ${spec.content[field]!.label}${bound}`;
  });
  const lines = [
    `Write ${brief.n} distinct variants of ${spec.noun} (${spec.label}).`,
    `Each variant has these fields:`,
    ...fields,
    `Tone: ${brief.tone}.`,
    `Language: ${brief.language}.`,
    brief.goal ? `The journey's goal: ${brief.goal}.` : null,
    brief.notes ? `Notes from the marketer: ${brief.notes}` : null,
    '',
    `Available Profile names:`,
    ...listed(names.profile, 'Profile'),
    '',
    names.eventName
      ? names.event.length > 0
        ? `Available Event names (properties of "${names.eventName}", the event that starts the journey):`
        : `The event that starts the journey ("${names.eventName}") has no known properties: do not use Event.*.`
      : 'No event starts this journey by name: do not use Event.*.',
    ...listed(names.event, 'Event'),
    '',
    `Answer with {"variants": [...]} holding ${brief.n} objects, each with the fields ${copyFields(brief.channel).map((f) => `"${f}"`).join(', ')}.`,
  ];
  return [
    { role: 'system', content: SYSTEM },
    { role: 'user', content: lines.filter((l) => l !== null).join('\n') },
  ];
}

/** One more round for the variants that failed a check: the same conversation, their problems, a fix asked. */
export function repairMessages(first: ChatMessage[], failed: Array<{ content: Record<string, unknown>; problems: Array<{ field: string; message: string }> }>): ChatMessage[] {
  const listedFailures = failed.map((f, i) => `${i + 1}. ${JSON.stringify(f.content)}\n${f.problems.map((p) => `   - ${p.field}: ${p.message}`).join('\n')}`);
  return [
    ...first,
    {
      role: 'user',
      content: [
        `These variants break the rules:`,
        ...listedFailures,
        '',
        `Rewrite each one so that it passes, keeping its idea. Answer with JSON only: {"variants": [...]} holding ${failed.length} objects, in the same order.`,
      ].join('\n'),
    },
  ];
}

function listed(names: readonly KnownName[], root: string): string[] {
  return names.slice(0, MAX_NAMES).map((n) => `- ${root}.${n.path} (${n.type}${n.optional ? ', optional' : ''})`);
}
