/**
 * What a bounce that comes back as mail does (docs/channels.md, "Bounces"): the delivery status notification
 * names one of our emails by its Message-ID; a permanent failure (Action: failed, a 5.x.x status) makes it
 * bounced (store.bounceMessage: counted on its node as failed instead of sent), and a status saying the
 * address itself is bad also keeps the address in the profile's emailBounced trait, as a refusal at RCPT
 * time does (deadAddressTraits), so later emails to it are skipped. Anything else changes nothing. The trait
 * is written at every report that calls for it, so a repeat of the report (an MTA retrying its pipe) heals a
 * crash between the two writes, and answers the same.
 */
import { messageIdFrom } from '../channels/smtp.ts';
import type { DeliveryReport, DsnRecipient } from '../channels/dsn.ts';
import { deadAddressTraits } from '../core/channels.ts';
import type { EngineHandle } from '../engine/handle.ts';
import type { MessageStatus, Store } from '../store/store.ts';

/**
 * Statuses that say the recipient's address will never take mail (RFC 3463): 5.1.1 bad mailbox, 5.1.2 bad
 * domain, 5.1.3 bad address syntax, 5.1.6 mailbox moved, 5.1.10 null MX (RFC 7505). Other 5.x.x (5.2.2 mailbox
 * full, 5.3.4 too big, 5.7.x policy) are about this message, or may pass another day: they bounce it only.
 */
const BAD_ADDRESS = new Set(['5.1.1', '5.1.2', '5.1.3', '5.1.6', '5.1.10']);

/** The longest reason kept on the message, as for an SMTP refusal. */
const MAX_REASON = 300;

/** What a recipient of the report did: bounced the message, bounced it and marked the address, or nothing. */
export type BounceApplied = 'bounced' | 'address_bounced' | 'ignored';

export interface BounceResult {
  messageId: string;
  /** The message's status after the report. */
  status: MessageStatus;
  recipients: Array<DsnRecipient & { applied: BounceApplied }>;
}

/** A report that names no email of ours: 422 when it names none Waymark made, 404 when the id is no email sent here. */
export class BounceTargetError extends Error {
  constructor(
    readonly statusCode: 404 | 422,
    message: string,
  ) {
    super(message);
  }
}

/** A recipient's verdict: the address is bad, this message bounced, or (null) nothing changes. */
export function bounceKind(r: DsnRecipient): 'address' | 'message' | null {
  if (r.action !== 'failed' || r.status === null || !r.status.startsWith('5.')) return null;
  return BAD_ADDRESS.has(r.status) ? 'address' : 'message';
}

/** The message's reason: `dsn_5.1.1: 550 5.1.1 <a@b>: user unknown`, bounded. */
export function bounceReason(r: DsnRecipient): string {
  return `dsn_${r.status}${r.diagnostic ? `: ${r.diagnostic}` : ''}`.slice(0, MAX_REASON);
}

export async function applyBounce(store: Store, engine: Pick<EngineHandle, 'upsertProfiles'>, report: DeliveryReport): Promise<BounceResult> {
  const named = report.originalMessageId;
  const id = named === null ? null : messageIdFrom(named);
  if (id === null) {
    throw new BounceTargetError(
      422,
      named === null
        ? 'the report names no Message-ID: it has no returned message or headers (message/rfc822, text/rfc822-headers) with one'
        : `the returned message's Message-ID ${JSON.stringify(named.slice(0, 200))} is not one Waymark made: this report is about another sender's email`,
    );
  }
  const message = await store.getMessage(id);
  // Only an email the SMTP sender handed over can come back (the outbox's never left).
  if (!message || message.channel !== 'email' || message.provider !== 'smtp') throw new BounceTargetError(404, `no email sent by SMTP has the id ${JSON.stringify(id.slice(0, 200))} in this project`);

  const verdicts = report.recipients.map((r) => ({ r, kind: bounceKind(r) }));
  const first = verdicts.find((v) => v.kind !== null);
  const status = first ? ((await store.bounceMessage(id, bounceReason(first.r))) ?? message.status) : message.status;
  const bounced = status === 'bounced'; // now, or by an earlier report
  const traits = message.content?.to ? deadAddressTraits('email', message.content.to) : null;
  if (bounced && traits && verdicts.some((v) => v.kind === 'address')) await engine.upsertProfiles([{ userId: message.userId, traits }]);
  return {
    messageId: id,
    status,
    recipients: verdicts.map(({ r, kind }) => ({ ...r, applied: !bounced || kind === null ? 'ignored' : kind === 'address' ? 'address_bounced' : 'bounced' })),
  };
}
