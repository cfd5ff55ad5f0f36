/**
 * Reads of a user follow the identity map (docs/integrations.md, "Identities"): an anonymous id merged into a
 * user reads as that user (their profile, events, journeys, messages, inbox), as later events with it count as
 * theirs. A route's preHandler; the id asked for is kept for the answer to say so.
 */
import type { FastifyRequest } from 'fastify';

declare module 'fastify' {
  interface FastifyRequest {
    /** The user id the request named, when the identity map sent it to another (request.params.userId). */
    mergedFrom?: string;
  }
}

export async function resolveUserParam(request: FastifyRequest): Promise<void> {
  const params = request.params as { userId?: string };
  const asked = params.userId;
  if (asked === undefined) return;
  const user = (await request.waymark.store.resolveIdentities([asked])).get(asked) ?? asked;
  if (user === asked) return;
  params.userId = user;
  request.mergedFrom = asked;
}
