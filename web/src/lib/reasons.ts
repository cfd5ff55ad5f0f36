/**
 * The engine's reason codes in words: why a message was or was not sent (GET /v1/users/:id/explain, the
 * message log), how a user's pass through a journey ended. Codes this file does not know read as their words.
 */

export type Outcome = 'sent' | 'skipped' | 'failed' | 'pending' | 'not_reached';

export const OUTCOME_LABEL: Record<Outcome, string> = {
  sent: 'Sent',
  skipped: 'Not sent',
  failed: 'Failed',
  pending: 'Not yet',
  not_reached: 'Not sent',
};

/** Skip reasons of the message log and explain's steps (src/core/channels.ts SKIP_REASONS, explain.ts). */
export const REASON_TEXT: Readonly<Record<string, string>> = {
  no_email: 'Missing address: the profile has no email',
  no_phone: 'Missing address: the profile has no phone',
  no_push_token: 'Missing address: the profile has no push token',
  invalid_token: 'Dead address: the push provider reported this token invalid',
  bounced: 'Bounced: the mail server refused this address',
  unsubscribed: 'Unsubscribed: the user opted out of this channel',
  dnd: 'Do-not-disturb hours: skipped rather than deferred',
  frequency_cap: 'Frequency cap: the project’s limit was reached',
  control_group: 'Control group: held out, gets no messages',
  goal: 'Goal met: the user left before this message',
  timeout: 'Timed out: the journey’s time limit ended it first',
  stopped: 'Journey stopped before this message',
  not_qualified: 'Never qualified for the journey',
  merged: 'Merged: the user was merged with another already in the journey, whose pass went on',
  other_branch: 'Took another branch',
  waiting: 'Waiting at an earlier step',
  dnd_deferred: 'Deferred past do-not-disturb hours',
  queued: 'Queued for delivery',
  not_yet_qualified: 'Waiting to qualify',
};

/** A reason code in words: "frequency_cap" → "Frequency cap: ...", an unknown "foo_bar" → "Foo bar". */
export function reasonText(reason: string | null | undefined): string | null {
  if (reason === null || reason === undefined || reason === '') return null;
  const known = REASON_TEXT[reason];
  if (known) return known;
  if (reason.startsWith('render_failed')) return 'The template failed to render for this user';
  return humanize(reason);
}

/**
 * Why, in a few words, from an explain step's outcome or a logged message's status, and its reason: a skip's
 * cause, what made a delivery fail; null when there is nothing to say (a message sent).
 */
export function reasonFor(outcome: string, reason: string | null): string | null {
  if (outcome === 'not_reached' && reason === null) return 'Passed without a message recorded';
  if (outcome === 'failed' && reason !== null && !reason.startsWith('render_failed')) return `Delivery failed: ${reason}`;
  // A logged message's status: the mail server took it, then sent back a delivery status notification.
  if (outcome === 'bounced') return `Bounced after sending${reason ? `: ${reason}` : ''}`;
  return reasonText(reason);
}

/**
 * The server's sentence about a step, when it says more than the words do ("skipped: the profile has no
 * email" adds nothing to "Missing address: the profile has no email"), as a sentence; else null.
 */
export function detailBeyond(words: string | null, detail: string): string | null {
  const core = detail.replace(/^skipped: /, '').trim().toLowerCase();
  if (!core || (words && words.toLowerCase().includes(core))) return null;
  return detail.charAt(0).toUpperCase() + detail.slice(1);
}

export const INSTANCE_STATUS_LABEL: Record<string, string> = {
  pending: 'Waiting to qualify',
  active: 'In the journey',
  control: 'Control group',
  exited: 'Exited',
};

/** Why a pass through a journey ended (an instance's exit.reason). */
const EXIT_REASONS: Record<string, string> = {
  goal: 'Goal met',
  timeout: 'Timed out',
  stopped: 'Journey stopped',
  completed: 'Completed the journey',
  not_qualified: 'Never qualified',
  merged: 'Merged into another pass of the same person',
};

export function exitText(exit: { reason: string; goalId?: string | undefined } | null): string | null {
  if (!exit) return null;
  const text = EXIT_REASONS[exit.reason] ?? humanize(exit.reason);
  return exit.reason === 'goal' && exit.goalId ? `${text} (“${exit.goalId}”)` : text;
}

/** The message log's statuses in words. */
export const MESSAGE_STATUS_LABEL: Record<string, string> = { pending: 'Queued', sent: 'Sent', delivered: 'Delivered', failed: 'Failed', dead: 'Dead letter', skipped: 'Skipped', bounced: 'Bounced' };

function humanize(code: string): string {
  const words = code.replace(/[_-]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
