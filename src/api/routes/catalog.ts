/** The project's data as received: event names, their properties and profile traits, for the dashboard's pickers. */
import { EventCatalog, EVENT_SAMPLE, eventCatalog, PROFILE_SAMPLE, SAMPLE_BYTES, TraitCatalog, traitCatalog } from '../../app/data-catalog.ts';
import type { Api, RouteContext } from '../context.ts';
import { withErrors } from '../schemas.ts';

const MIB = SAMPLE_BYTES / (1024 * 1024);

export function catalogRoutes(app: Api, _context: RouteContext): void {
  app.get(
    '/v1/catalog/events',
    {
      config: { access: 'read' },
      schema: {
        tags: ['catalog'],
        summary: 'The event names received, with their property keys',
        description:
          `From the newest ${EVENT_SAMPLE.toLocaleString('en')} events received (fewer when their properties take more than ${MIB} MiB): each name with how many of them have it and the latest timestamp, ` +
          'and each property key (nested objects as dotted paths) with its type and an example. `sampled` says whether older events were left out, `read` how many were read. The most seen name first.',
        response: withErrors({ 200: EventCatalog }),
      },
    },
    (request) => eventCatalog(request.waymark.store),
  );

  app.get(
    '/v1/catalog/traits',
    {
      config: { access: 'read' },
      schema: {
        tags: ['catalog'],
        summary: 'The profile trait keys, with their types',
        description:
          `From the first ${PROFILE_SAMPLE.toLocaleString('en')} profiles in user id order (fewer when their traits take more than ${MIB} MiB): each trait key (nested objects as dotted paths) ` +
          'with how many of them have it, its type and an example. `sampled` says whether other profiles were left out, `read` how many were read. The most common first.',
        response: withErrors({ 200: TraitCatalog }),
      },
    },
    (request) => traitCatalog(request.waymark.store),
  );
}
