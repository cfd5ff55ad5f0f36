/** Project settings: what applies across journeys (frequency caps, the project's time zone). Admin keys only. */
import { ProjectSettings, settingsProblems } from '../../core/settings.ts';
import { badRequest } from '../errors.ts';
import type { Api, RouteContext } from '../context.ts';
import { withErrors } from '../schemas.ts';

export function settingsRoutes(app: Api, _context: RouteContext): void {
  const tags = ['settings'];
  app.get('/v1/settings', { config: { access: 'read' }, schema: { tags, summary: 'Project settings', response: withErrors({ 200: ProjectSettings }) } }, async (request) => request.waymark.store.getSettings());
  app.put(
    '/v1/settings',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Replace the project settings',
        description: 'Takes effect at once in this process, and within a poll interval in the others.',
        body: ProjectSettings,
        response: withErrors({ 200: ProjectSettings }, 400),
      },
    },
    async (request) => {
      const { waymark } = request;
      const problems = settingsProblems(request.body);
      if (problems.length > 0) throw badRequest(problems);
      await waymark.store.saveSettings(request.body, waymark.engine.clock.now());
      await waymark.engine.reloadJourneys();
      return request.body;
    },
  );
}
