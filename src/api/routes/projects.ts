/**
 * Projects (app/projects.ts): list them, and make one with its first keys. Making a project belongs to the
 * deployment: the default project's admin key or an admin's dashboard session. Another project's keys see
 * only their project in the list.
 */
import Type from 'typebox';
import { DEFAULT_PROJECT, PROJECT_ID_PATTERN, ProjectError } from '../../app/projects.ts';
import { createKey } from '../keys.ts';
import type { Api, RouteContext } from '../context.ts';
import { ApiError } from '../errors.ts';
import { PROJECT_HEADER, requireDeployment } from '../project-route.ts';
import { withErrors } from '../schemas.ts';

const Project = Type.Object({
  id: Type.String({ description: `Names the project in URLs (/p/<id>/v1/...) and the ${PROJECT_HEADER} header` }),
  name: Type.String(),
  createdAt: Type.Union([Type.Integer(), Type.Null()], { description: 'null for the default project, as old as the deployment' }),
});
const NewProject = Type.Object({
  id: Type.String({ pattern: PROJECT_ID_PATTERN, description: `1 to 32 lowercase letters, digits and dashes, a letter first; not "${DEFAULT_PROJECT}"` }),
  name: Type.String({ minLength: 1, maxLength: 100 }),
}, { additionalProperties: false });
const Made = Type.Object({
  project: Project,
  keys: Type.Object({ admin: Type.String(), write: Type.String() }, { description: 'The project\'s first keys: shown this once, never again' }),
});

export function projectRoutes(app: Api, { router }: RouteContext): void {
  const tags = ['projects'];
  app.get(
    '/v1/projects',
    {
      config: { access: 'read' },
      schema: {
        tags,
        summary: 'The projects: the default one first, then the others, oldest first',
        description: `A dashboard session and the ${DEFAULT_PROJECT} project's admin key see every project; another project's key, only its own.`,
        response: withErrors({ 200: Type.Object({ projects: Type.Array(Project) }) }),
      },
    },
    async (request) => {
      const projects = await router.projects.list();
      const deployment = request.keyHash === undefined || request.project === DEFAULT_PROJECT;
      return { projects: deployment ? projects : projects.filter((p) => p.id === request.project) };
    },
  );

  app.post(
    '/v1/projects',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Make a project, with its own data, engine and keys',
        description:
          'A project is a database of its own (SQLite: a file beside the default one; PostgreSQL: a schema beside the default one), so nothing of one can be read or changed through another. ' +
          `The answer carries its first admin and write keys, shown this once. Needs the ${DEFAULT_PROJECT} project's admin key or an admin's dashboard session; 409 when the id is taken.`,
        body: NewProject,
        response: withErrors({ 201: Made }, 400, 409),
      },
    },
    async (request, reply) => {
      requireDeployment(request);
      try {
        const { project, made } = await router.projects.create(request.body.id, request.body.name, async ({ store, engine }) => {
          const now = engine.clock.now();
          const admin = await createKey(store, 'admin', 'first admin key', now);
          const write = await createKey(store, 'write', 'first write key', now);
          return { admin: admin.key, write: write.key };
        });
        return reply.code(201).send({ project, keys: made });
      } catch (error) {
        if (error instanceof ProjectError) throw new ApiError(error.kind === 'taken' ? 409 : 400, error.message, error.kind === 'invalid' ? [{ path: '/id', message: error.message }] : undefined);
        throw error;
      }
    },
  );
}
