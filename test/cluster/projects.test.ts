/**
 * Projects across processes on PostgreSQL (docs/projects.md): real `serve --role api` and `--role worker`
 * processes on one schema. A project made through one api process is served at once by another api process
 * that has not seen it yet (its key makes that process read the registry), a worker that was already running
 * discovers it and fires its timers, and an api process started later opens it at start. Its data lives in
 * its own schema, none of it in the default one.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dropWhenDone, testSchema, withPostgres } from '../store/postgres-fixture.ts';
import { path } from '../journeys.ts';
import { ADMIN, call, post, schemaUrl, startServe, waitFor, type Serve } from './cluster.ts';

const journey = path('welcome-b', [
  { id: 'in', kind: 'entry', trigger: { type: 'action', event: 'Signed Up' } },
  { id: 'pause', kind: 'delay', duration: '1s' },
  { id: 'hello', kind: 'send', channel: 'inbox', message: { title: 'Welcome to Shop B', body: 'Hello from B' } },
  { id: 'out', kind: 'exit' },
], { setup: { timezone: 'UTC' } });

/** Stops a process the way an orchestrator does, and expects a clean exit with nothing logged as an error. */
async function stop(serve: Serve): Promise<void> {
  // A pool left with a client checked out would keep close() waiting, and "stopped" would never come.
  const code = await serve.stop({ withinMs: 30_000 });
  const { stdout, stderr } = serve.output();
  assert.equal(code, 0, `${serve.role} exited ${code}:\n${stdout}\n${stderr}`);
  assert.match(stdout, /\nstopped\n$/, `${serve.role} said it stopped`);
  assert.equal(stderr, '', `${serve.role} wrote nothing on stderr`);
  assert.doesNotMatch(stdout, /"level":(50|60)/, `${serve.role} logged no error`);
}

await withPostgres('projects across processes on PostgreSQL', () => {
  test('a project made on one api process is served by another at once, run by a worker that was already up, and opened at start by a later one', { timeout: 240_000 }, async () => {
    const schema = testSchema();
    // The project's schema, worked out by hand from docs/projects.md: "<schema>_<id, dashes as underscores>".
    const bSchema = `${schema.name}_shop_b`;
    dropWhenDone(bSchema);
    const database = schemaUrl(schema.name);
    const running: Serve[] = [];
    try {
      const api = await startServe('api', database);
      running.push(api);
      // Started before project B exists: it can learn of B only from the registry.
      const other = await startServe('api', database);
      running.push(other);
      const worker = await startServe('worker', database, ['--poll-ms', '100']);
      running.push(worker);

      // Keys no project has keep `other` reading the registry (at most once a second) while B is being made on
      // `api`, so its last read before B's key arrives is one that began before B was in the registry: B's key
      // must still be found, by a read made after it was asked for.
      let making = true;
      const unknownKeys = (async () => {
        while (making) assert.equal((await call(other.url, 'GET', '/v1/journeys', 'wm_admin_no_such_key')).status, 401);
      })();
      const made = await call(api.url, 'POST', '/v1/projects', ADMIN, { id: 'shop-b', name: 'Shop B' }).finally(() => (making = false));
      await unknownKeys;
      assert.equal(made.status, 201, JSON.stringify(made.body));
      assert.deepEqual(Object.keys(made.body.keys).sort(), ['admin', 'write']);
      const { admin: bAdmin, write: bWrite } = made.body.keys as { admin: string; write: string };
      assert.deepEqual([made.body.project.id, made.body.project.name], ['shop-b', 'Shop B']);

      // At once on the process that had not seen B: 200 and B's (empty) journeys, not 401.
      const first = await call(other.url, 'GET', '/v1/journeys', bAdmin);
      assert.equal(first.status, 200, JSON.stringify(first.body));
      assert.deepEqual(first.body.journeys, []);
      assert.equal((await call(other.url, 'GET', '/v1/inbox/bea', bWrite)).status, 200);

      // B's journey, made through `api`, published, and a user signs up in B through `api` too.
      await post(api.url, '/v1/journeys', bAdmin, { id: 'welcome-b', definition: journey });
      await post(api.url, '/v1/journeys/welcome-b/publish', bAdmin, {});
      await post(api.url, '/v1/events', bWrite, { userId: 'bea', event: 'Signed Up', messageId: 'signup-bea' });

      // An api process fires no timer: only the worker, which was running before B existed, can end the delay.
      const inbox = await waitFor('the worker to send B\'s inbox message', async () => {
        const r = await call(api.url, 'GET', '/v1/inbox/bea', bWrite);
        return r.status === 200 && r.body.messages.length > 0 ? r.body.messages : null;
      }, 90_000, 100);
      assert.deepEqual(inbox.map((m: { journeyId: string; nodeId: string; title: string; body: string }) => [m.journeyId, m.nodeId, m.title, m.body]), [
        ['welcome-b', 'hello', 'Welcome to Shop B', 'Hello from B'],
      ]);
      const instances = (await call(api.url, 'GET', '/v1/users/bea/journeys', bAdmin)).body.instances as Array<{ journeyId: string; status: string }>;
      assert.deepEqual(instances.map((i) => [i.journeyId, i.status]), [['welcome-b', 'exited']]);

      // An api process started now opened B at start: B's keys work on its first request.
      const late = await startServe('api', database);
      running.push(late);
      const lateInbox = await call(late.url, 'GET', '/v1/inbox/bea', bWrite);
      assert.equal(lateInbox.status, 200, JSON.stringify(lateInbox.body));
      assert.deepEqual(lateInbox.body.messages.map((m: { nodeId: string }) => m.nodeId), ['hello']);
      assert.deepEqual((await call(late.url, 'GET', '/v1/journeys', bAdmin)).body.journeys.map((j: { id: string }) => j.id), ['welcome-b']);

      // B's data is in B's schema, and none of it in the default project's.
      const inB = await schema.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${bSchema}".events WHERE user_id = 'bea' AND name = 'Signed Up'`);
      assert.equal(inB[0]!.n, 1);
      const inBInbox = await schema.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${bSchema}".messages WHERE user_id = 'bea'`);
      assert.equal(inBInbox[0]!.n, 1);
      const inDefault = await schema.query<{ n: number }>('SELECT count(*)::int AS n FROM events');
      assert.equal(inDefault[0]!.n, 0, 'the default project has no events at all');
      assert.equal((await schema.query<{ n: number }>('SELECT count(*)::int AS n FROM messages'))[0]!.n, 0);
      assert.deepEqual((await call(api.url, 'GET', '/v1/journeys', ADMIN)).body.journeys, [], "the default project has none of B's journeys");

      // Every process, each with B open, stops cleanly.
      for (const serve of running) await stop(serve);
    } finally {
      for (const serve of running) serve.child.kill('SIGKILL');
      await schema.query(`DROP SCHEMA IF EXISTS "${bSchema}" CASCADE`).catch(() => {});
      await schema.drop();
    }
  });
});
