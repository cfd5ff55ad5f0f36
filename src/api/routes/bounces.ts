/**
 * POST /v1/bounces: a bounce that came back as mail (a delivery status notification, RFC 3464), posted raw, as
 * a mail server pipes it (a Postfix pipe transport, an inbound-mail webhook). It is read (channels/dsn.ts) and
 * applied to the email it names by its Message-ID (app/bounces.ts). Bad input is a 4xx naming what is wrong,
 * and changes nothing: not a DSN 400, no Message-ID Waymark made 422, no such email here 404, too large 413.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { applyBounce, BounceTargetError } from '../../app/bounces.ts';
import { readDsn } from '../../channels/dsn.ts';
import type { Api, RouteContext } from '../context.ts';
import { ApiError } from '../errors.ts';
import { MessageStatus, withErrors } from '../schemas.ts';

/** The largest report taken: a DSN returning the whole message it bounces is the message's size and a few lines more. */
export const MAX_DSN_BYTES = 1024 * 1024;

/** The raw message's media types: what a mail server's pipe or a webhook sends it as. */
const RAW_TYPES = new Set(['message/rfc822', 'text/plain']);

const Recipient = Type.Object({
  address: Type.Union([Type.String(), Type.Null()], { description: 'Final-Recipient (else Original-Recipient), without its type' }),
  action: Type.String({ description: 'failed, delayed, delivered, relayed or expanded, in lower case' }),
  status: Type.Union([Type.String(), Type.Null()], { description: 'The status code, e.g. 5.1.1' }),
  diagnostic: Type.Union([Type.String(), Type.Null()], { description: "Diagnostic-Code, without its type: the remote server's reply" }),
  applied: Type.Union([Type.Literal('bounced'), Type.Literal('address_bounced'), Type.Literal('ignored')], {
    description: 'bounced: the message bounced (a 5.x.x failure); address_bounced: and its address is kept in emailBounced (5.1.1, 5.1.2, 5.1.3, 5.1.6, 5.1.10); ignored: nothing changed (delayed, delivered, a 4.x.x status, or a message not sent)',
  }),
});

const BounceAnswer = Type.Object({
  messageId: Type.String({ description: 'The Waymark message the report is about' }),
  status: MessageStatus,
  recipients: Type.Array(Recipient),
});

export function bounceRoutes(app: Api, _context: RouteContext): void {
  void app.register(async (plain) => {
    const scope = plain.withTypeProvider<TypeBoxTypeProvider>();
    // The body is the raw message: its bytes as latin1 text, one character each, so the schema documents and
    // checks it (NUL refused, as everywhere) and the MIME parser gets the bytes back exactly. Its type is
    // checked by the handler, so a wrong one is told what to send.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: MAX_DSN_BYTES }, (_request, body: Buffer, done) => done(null, body.toString('latin1')));
    scope.setErrorHandler((error, _request, reply) => {
      if ((error as { code?: string }).code !== 'FST_ERR_CTP_BODY_TOO_LARGE') throw error; // the server's handler
      return reply.code(413).send({
        error: 'Payload Too Large',
        message: `the report is larger than ${MAX_DSN_BYTES} bytes: a DSN is a few kilobytes with the headers of the message it returns (Postfix returns only the headers of a large one)`,
      });
    });

    scope.post(
      '/v1/bounces',
      {
        // The admin key: a report bounces a message and stops email to an address. The write key ships in apps
        // (docs/security.md), and with it anyone could silence anyone's email; the mail server's pipe runs on
        // the operator's side, as the admin key does.
        config: { access: 'admin' },
        schema: {
          tags: ['messages'],
          summary: 'A bounce that came back as mail: a delivery status notification (RFC 3464), raw',
          description:
            `The raw message (RFC 5322) as the mail server received it, Content-Type message/rfc822 or text/plain, at most ${MAX_DSN_BYTES} bytes (413). ` +
            'It must be a multipart/report; report-type=delivery-status with a message/delivery-status part, and name one of our emails by the Message-ID of the message it returns (message/rfc822 or text/rfc822-headers). ' +
            'Per recipient: Action failed with a 5.x.x status bounces the message (status bounced, reason dsn_<status>: <diagnostic>; counted on its node as failed instead of sent); 5.1.1, 5.1.2, 5.1.3, 5.1.6 and 5.1.10 also keep the address in the profile\'s emailBounced trait, so later emails to it are skipped (reason bounced). ' +
            'Delayed, delivered, relayed, expanded and 4.x.x change nothing. A repeated report changes nothing more and answers the same. ' +
            '400: not a DSN; 422: no Message-ID Waymark made; 404: no email sent by SMTP has that id in this project.',
          consumes: [...RAW_TYPES],
          body: Type.String({ description: 'The raw message (RFC 5322), as the mail server received it' }),
          response: withErrors({ 200: BounceAnswer }, 400, 404, 413, 415, 422),
        },
      },
      async (request) => {
        const { waymark } = request;
        const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
        if (!RAW_TYPES.has(type)) throw new ApiError(415, `send the raw message as Content-Type message/rfc822 or text/plain, not ${type ? JSON.stringify(type.slice(0, 100)) : 'none'}`);
        if (request.body.length === 0) throw new ApiError(400, 'the body is empty: send the raw message (RFC 5322) as the mail server received it');
        const report = await readDsn(Buffer.from(request.body, 'latin1'));
        if ('problem' in report) throw new ApiError(400, report.problem);
        try {
          return await applyBounce(waymark.store, waymark.engine, report);
        } catch (error) {
          if (error instanceof BounceTargetError) throw new ApiError(error.statusCode, error.message);
          throw error;
        }
      },
    );
  });
}
