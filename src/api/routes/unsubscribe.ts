/**
 * One-click unsubscribe (RFC 8058): the link in an email's List-Unsubscribe header. A POST (what mail
 * clients send, with the body "List-Unsubscribe=One-Click") sets the channel's opt-out trait on the user's
 * profile, through the engine; a GET (a person opening the link) only shows a button that POSTs, since mail
 * scanners open links. Public: the signed token is the credential, and only unsubscribes.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { readUnsubscribeToken, unsubscribeKey } from '../../channels/unsubscribe.ts';
import { channelSpec } from '../../core/channels.ts';
import type { Api, RouteContext } from '../context.ts';
import { ApiError } from '../errors.ts';
import { withErrors } from '../schemas.ts';
import type { FastifyRequest } from 'fastify';

const Params = Type.Object({ token: Type.String({ minLength: 1, maxLength: 1000 }) });

export function unsubscribeRoutes(app: Api, _context: RouteContext): void {
  const read = async ({ waymark }: FastifyRequest, token: string) => {
    const who = readUnsubscribeToken(await unsubscribeKey(waymark.store, waymark.engine.clock.now()), token);
    const trait = who && channelSpec(who.channel).optOutTrait;
    if (!who || !trait) throw new ApiError(404, 'no such unsubscribe link');
    return { ...who, trait };
  };

  // Mail clients post a form (RFC 8058: multipart/form-data, or urlencoded): taken as small text, in this
  // scope only, and not read: the link alone says who unsubscribes.
  void app.register(async (plain) => {
    const scope = plain.withTypeProvider<TypeBoxTypeProvider>();
    scope.addContentTypeParser(['application/x-www-form-urlencoded', 'multipart/form-data'], { parseAs: 'string', bodyLimit: 4096 }, (_request, body, done) => done(null, body));
    scope.post(
      '/v1/unsubscribe/:token',
      {
        config: { access: 'public' },
        schema: {
          tags: ['messages'],
          summary: 'One-click unsubscribe (RFC 8058): the link of an email\'s List-Unsubscribe header',
          security: [],
          params: Params,
          response: withErrors({ 200: Type.Object({ ok: Type.Boolean() }) }, 404),
        },
      },
      async (request) => {
        const { waymark } = request;
        const { userId, trait } = await read(request, request.params.token);
        await waymark.engine.upsertProfiles([{ userId, traits: { [trait]: true } }]);
        return { ok: true };
      },
    );
    scope.get(
      '/v1/unsubscribe/:token',
      { config: { access: 'public' }, schema: { hide: true, params: Params } },
      async (request, reply) => {
        await read(request, request.params.token);
        return reply
          .type('text/html; charset=utf-8')
          .send('<!doctype html><meta charset="utf-8"><title>Unsubscribe</title><form method="post"><p>Stop receiving these emails?</p><button type="submit">Unsubscribe</button></form>');
      },
    );
  });
}
