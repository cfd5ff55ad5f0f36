/**
 * Every channel in one table: where its address is, how a user opts out, what its message holds. Validation,
 * the interpreter, decide, explain, publish checks, the API schemas and the senders read it; adding a channel
 * is one entry here and one sender (src/channels/).
 */
import Type from 'typebox';
import type { SkipReason } from './instance.ts';

export interface ContentField {
  label: string;
  required: boolean;
  /** Longest template source accepted. */
  maxLength: number;
  /** A Liquid template over Profile and Event (else a literal, such as a URL). */
  template: boolean;
  /** Text of several lines (a body), not one line (a title): how a form shows it. */
  multiline: boolean;
}

export interface ChannelSpec {
  label: string;
  /** The message's name in a sentence: "a push message needs a title". */
  noun: string;
  /**
   * The profile trait a message is sent to, and the skip reason when it is missing or empty; null: no address
   * (webhooks, the in-app inbox: the user id is enough). `invalid`: the trait where the engine keeps an address
   * the provider reported dead, and the skip reason while the address still equals it (a new address set by
   * the app is tried again).
   */
  address: { trait: string; missing: string; invalid?: { trait: string; reason: string } } | null;
  /** A profile trait that, when true, means the user opted out of this channel: sends are skipped as "unsubscribed". */
  optOutTrait: string | null;
  /** The message's fields in form order. */
  content: Readonly<Record<string, ContentField>>;
  /**
   * How long copy for this channel should be, for the copy assistant (src/copy/): what a phone or an inbox
   * shows without cutting it. Optional: a channel without limits gets its copy checked for Liquid and names only.
   */
  copyLimits?: CopyLimits;
}

/** Per field: at most `chars` characters, or (SMS) at most `segments` segments once rendered. */
export type CopyLimits = Readonly<Record<string, { chars: number } | { segments: number }>>;

const TEMPLATE_MAX = 100_000;
/** Twilio's Messages API takes a Body of up to 1,600 characters, for SMS and WhatsApp alike (error 21617 beyond). */
const TWILIO_BODY_MAX = 1_600;

export const CHANNELS = {
  push: {
    noun: 'a push message', label: 'Push', address: { trait: 'pushToken', missing: 'no_push_token', invalid: { trait: 'pushTokenInvalid', reason: 'invalid_token' } }, optOutTrait: 'pushOptOut',
    content: {
      title: { label: 'Title', required: true, maxLength: TEMPLATE_MAX, template: true, multiline: false },
      body: { label: 'Message', required: true, maxLength: TEMPLATE_MAX, template: true, multiline: true },
    },
    // What the notification shades of iOS and Android show before an ellipsis.
    copyLimits: { title: { chars: 50 }, body: { chars: 150 } },
  },
  sms: {
    noun: 'an SMS', label: 'SMS', address: { trait: 'phone', missing: 'no_phone' }, optOutTrait: 'smsOptOut',
    content: { body: { label: 'Message', required: true, maxLength: TEMPLATE_MAX, template: true, multiline: true } },
    // Each segment is billed: two is the most a marketing text should cost (see core/sms-segments.ts).
    copyLimits: { body: { segments: 2 } },
  },
  email: {
    noun: 'an email', label: 'Email', address: { trait: 'email', missing: 'no_email', invalid: { trait: 'emailBounced', reason: 'bounced' } }, optOutTrait: 'emailOptOut',
    content: {
      subject: { label: 'Subject', required: true, maxLength: TEMPLATE_MAX, template: true, multiline: false },
      body: { label: 'Body (HTML)', required: true, maxLength: TEMPLATE_MAX, template: true, multiline: true },
    },
    // RFC 5322's recommended line length, and about what inboxes show.
    copyLimits: { subject: { chars: 78 } },
  },
  whatsapp: {
    // The same phone trait as SMS: one number per user, and Twilio's inbound messages name it (whatsapp:+E.164).
    noun: 'a WhatsApp message', label: 'WhatsApp', address: { trait: 'phone', missing: 'no_phone' }, optOutTrait: 'whatsappOptOut',
    content: { body: { label: 'Message', required: true, maxLength: TWILIO_BODY_MAX, template: true, multiline: true } },
    // WhatsApp's own ceiling for a template message's body: longer reads as a wall of text on a phone anyway.
    copyLimits: { body: { chars: 1024 } },
  },
  inbox: {
    // Delivered by being stored: the app reads it with GET /v1/inbox/:userId.
    noun: 'an inbox message', label: 'Inbox', address: null, optOutTrait: 'inboxOptOut',
    content: {
      title: { label: 'Title', required: true, maxLength: TEMPLATE_MAX, template: true, multiline: false },
      body: { label: 'Message', required: true, maxLength: TEMPLATE_MAX, template: true, multiline: true },
      url: { label: 'Link (optional)', required: false, maxLength: 2000, template: false, multiline: false },
    },
    // What an app's inbox row and its opened card show without scrolling, as inbox SDKs lay them out.
    copyLimits: { title: { chars: 80 }, body: { chars: 500 } },
  },
  webhook: {
    noun: 'a webhook', label: 'Webhook', address: null, optOutTrait: null,
    content: {
      url: { label: 'URL', required: true, maxLength: 2000, template: false, multiline: false },
      body: { label: 'JSON body', required: true, maxLength: TEMPLATE_MAX, template: true, multiline: true },
    },
  },
} as const satisfies Record<string, ChannelSpec>;

export type Channel = keyof typeof CHANNELS;
export const CHANNEL_NAMES = Object.keys(CHANNELS) as Channel[];

/** The channel names as a schema: a union of constants, so a wrong one is reported as "must be one of ...". */
export const Channel = Type.Unsafe<Channel>(Type.Union(CHANNEL_NAMES.map((name) => Type.Literal(name))));

export function channelSpec(channel: Channel): ChannelSpec {
  return CHANNELS[channel];
}

/** Why a user cannot be sent to on `channel`, from their traits: no address, a dead one, or opted out; null when they can. */
export function unreachableReason(channel: Channel, traits: Readonly<Record<string, unknown>> | undefined): SkipReason | null {
  const spec = channelSpec(channel);
  if (spec.address) {
    const value = traits?.[spec.address.trait];
    if (!(typeof value === 'string' && value.length > 0)) return spec.address.missing as SkipReason;
    if (spec.address.invalid && traits?.[spec.address.invalid.trait] === value) return spec.address.invalid.reason as SkipReason;
  }
  if (spec.optOutTrait && traits?.[spec.optOutTrait] === true) return 'unsubscribed';
  return null;
}

/** The address a message on `channel` goes to, if the profile has one. */
export function addressOf(channel: Channel, traits: Readonly<Record<string, unknown>> | undefined): string | undefined {
  const trait = channelSpec(channel).address?.trait;
  const value = trait === undefined ? undefined : traits?.[trait];
  return typeof value === 'string' ? value : undefined;
}

/**
 * The trait patch that keeps `address` as dead on `channel` (a push token no longer registered, an email address
 * that bounced), so unreachableReason skips it while the profile's address still equals it; null when the
 * channel keeps none. The dispatcher (a refusal at send time) and the bounce reports (app/bounces.ts) write it.
 */
export function deadAddressTraits(channel: Channel, address: string): Record<string, string> | null {
  const trait = channelSpec(channel).address?.invalid?.trait;
  return trait ? { [trait]: address } : null;
}

/**
 * Every reason a send can be skipped, with what explain says of it. The control group is not one: its users
 * never reach a send, so they have no message rows at all; explain says why from their instance.
 */
export const SKIP_REASONS = {
  ...Object.fromEntries(
    Object.values(CHANNELS).flatMap((c: ChannelSpec) => (c.address ? [[c.address.missing, `skipped: the profile has no ${c.address.trait}`]] : [])),
  ),
  ...Object.fromEntries(
    Object.values(CHANNELS).flatMap((c: ChannelSpec) =>
      c.address?.invalid ? [[c.address.invalid.reason, `skipped: the provider reported this ${c.address.trait} invalid (kept in ${c.address.invalid.trait}); a new ${c.address.trait} is sent to again`]] : [],
    ),
  ),
  unsubscribed: 'skipped: the user opted out of this channel',
  dnd: 'skipped: it fell in do-not-disturb hours and the journey skips rather than defers',
  frequency_cap: "skipped: a project frequency cap was reached (see GET /v1/settings); the user took the node's unreachable branch if it has one",
} as Record<string, string>;
