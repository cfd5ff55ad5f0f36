/** Project settings: what applies across journeys, such as frequency caps. Admin keys only. */
import { ProjectSettings } from '../../core/settings.ts';
import type { Api, RouteContext } from '../context.ts';
import { withErrors } from '../schemas.ts';

export function settingsRoutes(app: Api, { waymark }: RouteContext): void {
  const tags = ['settings'];
  app.get('/v1/settings', { schema: { tags, summary: 'Project settings', response: withErrors({ 200: ProjectSettings }) } }, async () => waymark.store.getSettings());
  app.put(
    '/v1/settings',
    {
      schema: {
        tags,
        summary: 'Replace the project settings',
        description: 'Takes effect at once in this process, and within a poll interval in the others.',
        body: ProjectSettings,
        response: withErrors({ 200: ProjectSettings }, 400),
      },
    },
    async (request) => {
      await waymark.store.saveSettings(request.body, waymark.engine.clock.now());
      await waymark.engine.reloadJourneys();
      return request.body;
    },
  );
}
