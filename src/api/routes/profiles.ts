/** Profile upserts: the traits templates read and channels address (email, phone, pushToken, timezone). */
import type { Api, RouteContext } from '../context.ts';
import { oneOrBatch, ProfileInput, ProfilesResult, withErrors } from '../schemas.ts';

export function profileRoutes(app: Api, { maxBatch }: RouteContext): void {
  app.post(
    '/v1/profiles',
    {
      config: { access: 'write' },
      schema: {
        tags: ['ingestion'],
        summary: 'Create or update one profile, or a batch of them',
        description: `One { userId, traits } or { "batch": [...] } of up to ${maxBatch}, refused whole if any is bad. Traits are merged into the stored ones; null removes a trait.`,
        body: oneOrBatch(ProfileInput, maxBatch),
        response: withErrors({ 200: ProfilesResult }, 400, 413),
      },
    },
    async (request) => {
      const { waymark } = request;
      const body = request.body;
      const items = 'batch' in body ? body.batch : [body];
      await waymark.engine.upsertProfiles(items.map((p) => ({ userId: p.userId, traits: p.traits })));
      return { updated: items.length };
    },
  );
}
