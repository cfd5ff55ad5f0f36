/**
 * The dashboard's users (the team), for admins: list, make, change (role, name, disabled, a password reset),
 * remove. Under /v1/team, not /v1/users, which is the product's end users (profiles). A change takes effect on
 * the user's sessions at once: auth.ts reads the user on every request of a session.
 */
import Type from 'typebox';
import type { Api, RouteContext } from '../context.ts';
import { changeDashboardUser, createDashboardUser, removeDashboardUser, userView } from '../team.ts';
import { withErrors } from '../schemas.ts';
import { DashboardUser, Email, Name, Password, Role } from './team-schemas.ts';
import type { FastifyRequest } from 'fastify';
import { requireDeployment } from '../project-route.ts';

const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64, description: 'A user id from GET /v1/team' }) });
const LAST_ADMIN = 'The last enabled admin user can be neither removed, disabled nor demoted (409): make another user admin first. The admin key works regardless.';

/** Dashboard users belong to the deployment: they are kept in the default project's store, and another project's admin key cannot manage them. */
export function teamRoutes(app: Api, { router }: RouteContext): void {
  const tags = ['team'];
  const store = router.main.store;
  const preHandler = async (request: FastifyRequest) => requireDeployment(request);

  app.get(
    '/v1/team',
    { config: { access: 'admin' }, preHandler, schema: { tags, summary: 'The dashboard users, oldest first (never their passwords)', response: withErrors({ 200: Type.Object({ users: Type.Array(DashboardUser) }) }) } },
    async () => ({ users: (await store.listDashboardUsers()).map(userView) }),
  );

  app.post(
    '/v1/team',
    {
      config: { access: 'admin' },
      preHandler,
      schema: {
        tags,
        summary: 'Make a dashboard user with a role and an initial password',
        description: 'The first admin user is made with the admin key.',
        body: Type.Object({ email: Email, name: Type.Optional(Name), role: Role, password: Password }, { additionalProperties: false }),
        response: withErrors({ 201: DashboardUser }, 400, 409),
      },
    },
    async (request, reply) => reply.code(201).send(await createDashboardUser(store, request.body, router.main.engine.clock.now())),
  );

  app.patch(
    '/v1/team/:id',
    {
      config: { access: 'admin' },
      preHandler,
      schema: {
        tags,
        summary: 'Change a dashboard user: role, name, disabled, or reset its password',
        description: `Fields left out stay. Disabling the user or resetting its password ends its sessions at once; a new role applies to them at once. ${LAST_ADMIN}`,
        params: IdParams,
        body: Type.Object(
          { name: Type.Optional(Name), role: Type.Optional(Role), disabled: Type.Optional(Type.Boolean()), password: Type.Optional(Password) },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: withErrors({ 200: DashboardUser }, 400, 404, 409),
      },
    },
    async (request) => changeDashboardUser(store, request.params.id, request.body),
  );

  app.delete(
    '/v1/team/:id',
    {
      config: { access: 'admin' },
      preHandler,
      schema: { tags, summary: 'Remove a dashboard user; its sessions end at once', description: LAST_ADMIN, params: IdParams, response: withErrors({ 200: Type.Object({ ok: Type.Boolean() }) }, 404, 409) },
    },
    async (request) => {
      await removeDashboardUser(store, request.params.id);
      return { ok: true };
    },
  );
}
