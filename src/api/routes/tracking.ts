/**
 * Engagement tracking (docs/channels.md, "Engagement tracking"): an email's open pixel and tracked links, SMS
 * short links, and the open of a push notification reported by the app. Public: the signed token (or the
 * short link's unguessable code) is the credential, and it only records an open or a click of its own
 * message. A forged or altered token is a plain 404, the same as an unknown one, and records nothing.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { recordEngagement } from '../../app/engagement.ts';
import { readClickToken, readOpenToken, trackingKey } from '../../channels/tracking.ts';
import type { Engagement } from '../../store/store.ts';
import type { Api, RouteContext } from '../context.ts';
import { ApiError } from '../errors.ts';
import { withErrors } from '../schemas.ts';

/** The smallest transparent GIF (1x1). */
const PIXEL = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');
const Token = Type.String({ minLength: 1, maxLength: 1000 });
const PUBLIC = { access: 'public' } as const;
const NOT_FOUND = 'no such tracking link';
const Gif = Type.Unsafe<Buffer>({ type: 'string', format: 'binary', description: 'image/gif: a transparent 1x1 pixel, never cached' });

export function trackingRoutes(app: Api, _context: RouteContext): void {
  const key = ({ waymark }: FastifyRequest) => trackingKey(waymark.store, waymark.engine.clock.now());
  const record = ({ waymark }: FastifyRequest, messageId: string, kind: Engagement, url?: string) => recordEngagement(waymark.store, waymark.engine, messageId, kind, url);

  /**
   * Records an open or click, except for a HEAD (link checkers and scanners ask for headers only), and never
   * fails the request: the recipient gets the pixel or reaches the link whatever befalls the recording.
   */
  const recordFor = async (request: FastifyRequest, messageId: string, kind: Engagement, url?: string) => {
    if (request.method === 'HEAD') return;
    try {
      await record(request, messageId, kind, url);
    } catch (error) {
      request.log.error({ err: error }, `recording the ${kind} failed`);
    }
  };

  const redirect = async (request: FastifyRequest, reply: FastifyReply, messageId: string, url: string) => {
    await recordFor(request, messageId, 'click', url);
    return reply.code(302).header('location', url).header('cache-control', 'no-store').header('referrer-policy', 'no-referrer').send();
  };

  app.get(
    '/v1/t/o/:token',
    {
      config: PUBLIC,
      schema: {
        tags: ['tracking'],
        summary: "An email's open pixel: a 1x1 GIF, recording the first open of its message",
        description: 'Added to the HTML of emails sent by SMTP with a public URL. Opens are approximate: mail clients that block images hide them, and proxies that fetch every image (Apple Mail Privacy Protection, Gmail) make them up.',
        security: [],
        params: Type.Object({ token: Token }),
        response: withErrors({ 200: Gif }, 404),
      },
    },
    async (request, reply) => {
      const open = readOpenToken(await key(request), request.params.token);
      if (!open) throw new ApiError(404, NOT_FOUND);
      await recordFor(request, open.messageId, 'open');
      return reply.type('image/gif').header('cache-control', 'no-store, no-cache, must-revalidate, private').header('pragma', 'no-cache').send(PIXEL);
    },
  );

  app.get(
    '/v1/t/c/:token',
    {
      config: PUBLIC,
      schema: {
        tags: ['tracking'],
        summary: 'A tracked link of an email: redirects (302) to the URL signed in the token, recording the first click',
        description: 'A click on a message never opened records its open too: mail clients that block the pixel still open the email.',
        security: [],
        params: Type.Object({ token: Token }),
        response: withErrors({}, 404),
      },
    },
    async (request, reply) => {
      const click = readClickToken(await key(request), request.params.token);
      if (!click) throw new ApiError(404, NOT_FOUND);
      return redirect(request, reply, click.messageId, click.url);
    },
  );

  app.get(
    '/s/:code',
    {
      config: PUBLIC,
      schema: {
        tags: ['tracking'],
        summary: 'An SMS short link: redirects (302) to its URL, recording the first click of its message',
        security: [],
        params: Type.Object({ code: Type.String({ minLength: 1, maxLength: 64 }) }),
        response: withErrors({}, 404),
      },
    },
    async (request, reply) => {
      const { waymark } = request;
      const link = /^[A-Za-z0-9_-]+$/.test(request.params.code) ? await waymark.store.shortLink(request.params.code) : null;
      if (!link) throw new ApiError(404, NOT_FOUND);
      return redirect(request, reply, link.messageId, link.url);
    },
  );

  app.post(
    '/v1/t/open',
    {
      config: PUBLIC,
      schema: {
        tags: ['tracking'],
        summary: 'Record the open of a push notification: the app posts the token of its data when the user opens it',
        description: 'The token is the notification data\'s `waymarkOpenToken`. The first open counts; later ones change nothing.',
        security: [],
        body: Type.Object({ token: Token }, { additionalProperties: false }),
        response: withErrors({ 200: Type.Object({ ok: Type.Boolean() }) }, 404),
      },
    },
    async (request) => {
      const open = readOpenToken(await key(request), request.body.token);
      if (!open) throw new ApiError(404, NOT_FOUND);
      await record(request, open.messageId, 'open');
      return { ok: true };
    },
  );
}
