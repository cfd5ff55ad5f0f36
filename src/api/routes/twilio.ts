/**
 * What Twilio calls: the status callback of each message it took (StatusCallback, set by the sender when the
 * public URL is), and the inbound-message webhook of the numbers (set in Twilio's console). Both are public
 * and verified by X-Twilio-Signature, rebuilt from the Twilio provider's public URL and auth token: a missing
 * or bad signature is a 403 and changes nothing.
 *  - status: delivered / undelivered / failed (with ErrorCode) becomes the message's status, found by its SID.
 *  - inbound: STOP (and Twilio's other opt-out words) sets smsOptOut, or whatsappOptOut for a whatsapp: sender,
 *    on every profile whose phone is the sender's number; START / YES / UNSTOP clears it.
 */
import Type from 'typebox';
import { validTwilioSignature } from '../../channels/twilio-signature.ts';
import { trimmedBase } from '../../channels/twilio.ts';
import { channelSpec, type Channel } from '../../core/channels.ts';
import type { Api, RouteContext } from '../context.ts';
import { ApiError } from '../errors.ts';
import { withErrors } from '../schemas.ts';
import type { Store } from '../../store/store.ts';

const STOP_WORDS = new Set(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT']);
const START_WORDS = new Set(['START', 'YES', 'UNSTOP']);
/** Profiles changed by one inbound message, at most: one number is seldom more than a household's. */
const MAX_PROFILES_PER_NUMBER = 1_000;
/** Twilio's reply to an inbound message: empty TwiML, no answer sent (Twilio answers STOP itself). */
const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>';

export function twilioRoutes(app: Api, _context: RouteContext): void {
  /** The (auth token, URL) pairs a request to `path` may be signed with: one per Twilio provider with both set. */
  const candidates = async (store: Store, path: string) =>
    (await store.listProviders()).flatMap((r) => {
      const c = r.config;
      return c.provider === 'twilio' && typeof c.authToken === 'string' && typeof c.publicUrl === 'string' ? [{ authToken: c.authToken, url: `${trimmedBase(c.publicUrl)}${path}` }] : [];
    });

  const verified = async (request: { url: string; body: unknown; headers: Record<string, unknown>; waymark: { store: Store } }): Promise<URLSearchParams> => {
    const params = new URLSearchParams(typeof request.body === 'string' ? request.body : '');
    const signature = request.headers['x-twilio-signature'];
    if (!validTwilioSignature(typeof signature === 'string' ? signature : undefined, await candidates(request.waymark.store, request.url), params)) {
      throw new ApiError(403, 'X-Twilio-Signature is missing or does not match (the Twilio provider needs its authToken and publicUrl)');
    }
    return params;
  };

  void app.register(async (scope) => {
    // Twilio posts forms: kept as text here, so the signature is checked over exactly what was sent.
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 65_536 }, (_request, body, done) => done(null, body));
    const common = { tags: ['twilio'], security: [], consumes: ['application/x-www-form-urlencoded'] };

    scope.post(
      '/v1/twilio/status',
      {
        config: { access: 'public' },
        schema: {
          ...common,
          summary: "Twilio's status callback: a message was delivered, or not",
          description:
            'Form-encoded, signed with X-Twilio-Signature (403 otherwise). MessageStatus delivered marks the message (found by MessageSid) delivered; undelivered or failed mark it failed, the reason naming the status and ErrorCode. Other statuses change nothing. The sender sets this URL on each message when the Twilio provider has a publicUrl.',
          response: withErrors({ 204: Type.Null() }),
        },
      },
      async (request, reply) => {
        const { waymark } = request;
        const params = await verified(request);
        const sid = params.get('MessageSid') ?? params.get('SmsSid');
        const status = params.get('MessageStatus') ?? params.get('SmsStatus');
        const error = params.get('ErrorCode');
        if (sid && (status === 'delivered' || status === 'undelivered' || status === 'failed')) {
          await waymark.store.recordDelivery({
            provider: 'twilio',
            providerId: sid,
            status: status === 'delivered' ? 'delivered' : 'failed',
            reason: status === 'delivered' ? null : `twilio_${status}${error ? `: ${error}` : ''}`,
            at: waymark.engine.clock.now(),
          });
        }
        return reply.code(204).send();
      },
    );

    scope.post(
      '/v1/twilio/inbound',
      {
        config: { access: 'public' },
        schema: {
          ...common,
          summary: "Twilio's incoming-message webhook: STOP and START",
          description:
            'Form-encoded, signed with X-Twilio-Signature (403 otherwise). A Body of STOP, STOPALL, UNSUBSCRIBE, CANCEL, END or QUIT sets smsOptOut (whatsappOptOut when From is whatsapp:...) on every profile whose phone trait is the From number; START, YES or UNSTOP clears it. Answers empty TwiML.',
        },
      },
      async (request, reply) => {
        const { waymark } = request;
        const params = await verified(request);
        const from = params.get('From') ?? '';
        const word = (params.get('Body') ?? '').trim().toUpperCase();
        const optOut = STOP_WORDS.has(word) ? true : START_WORDS.has(word) ? false : null;
        const channel: Channel = from.startsWith('whatsapp:') ? 'whatsapp' : 'sms';
        const phone = from.replace(/^whatsapp:/, '');
        const trait = channelSpec(channel).optOutTrait;
        if (optOut !== null && trait && phone) {
          const profiles = await waymark.store.profilesWithPhone(phone, MAX_PROFILES_PER_NUMBER);
          if (profiles.length > 0) await waymark.engine.upsertProfiles(profiles.map((p) => ({ userId: p.userId, traits: { [trait]: optOut } })));
        }
        return reply.type('text/xml; charset=utf-8').send(EMPTY_TWIML);
      },
    );
  });
}
