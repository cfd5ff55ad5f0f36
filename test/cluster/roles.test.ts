/**
 * Roles: one `serve --role api` process and one `serve --role worker` process on one PostgreSQL schema run
 * the abandoned-cart journey end to end over HTTP. The api process ingests and answers; only the worker
 * fires timers. Readiness, graceful shutdown and the refusal of split roles on SQLite too.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../cli/run.ts';
import { example, tempDir } from '../helpers.ts';
import { testSchema, withPostgres } from '../store/postgres-fixture.ts';
import { ADMIN, WRITE, call, cartJourney, post, schemaUrl, sleep, startServe, waitFor } from './cluster.ts';
import { exitWithin } from '../stop-server.ts';

const WINDOW_MS = 500;
// Long enough that bo, below, buys between his push and his SMS however slow the machine; ana's and dee's
// carts are dated far enough back that all their steps are already due when the worker starts.
const DELAY_MS = 60_000;
const PAST_MS = 3 * DELAY_MS;

test('--role api and --role worker need PostgreSQL: on a SQLite file they are refused with the reason', async () => {
  const dir = tempDir('waymark-roles-');
  for (const role of ['worker', 'api']) {
    const result = await runCli(['serve', '--db', join(dir, 'w.db'), '--role', role, '--port', '0']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, new RegExp(`^waymark: --role ${role} needs PostgreSQL \\(--database postgres://\\.\\.\\. or DATABASE_URL\\): SQLite is a single-process store`));
  }
  const bad = await runCli(['serve', '--db', join(dir, 'w.db'), '--role', 'timers']);
  assert.match(bad.stderr, /--role must be one of all, api, worker/);
});

await withPostgres('roles on PostgreSQL', () => {
  test('an api process and a worker process on one database run the abandoned-cart journey; /ready and SIGTERM', { timeout: 180_000 }, async () => {
    const schema = testSchema();
    const database = schemaUrl(schema.name);
    const api = await startServe('api', database, ['--drain-ms', '5000']);
    try {
      assert.match(api.output().stdout, /listening on http:\S+ \(role api: HTTP API; timers and sends by workers; PostgreSQL postgres:\/\/postgres:\*\*\*@\S+, schema wm_test_\w+\)/);
      assert.deepEqual(await call(api.url, 'GET', '/health', null), { status: 200, body: { ok: true } });
      assert.deepEqual(await call(api.url, 'GET', '/ready', null), { status: 200, body: { ready: true } });

      await post(api.url, '/v1/journeys', ADMIN, { id: 'cart', definition: cartJourney(example('abandoned-cart'), WINDOW_MS, DELAY_MS) });
      await post(api.url, '/v1/journeys/cart/publish', ADMIN, {});
      const full = (name: string) => ({ name, email: `${name}@example.test`, phone: '+15550001', pushToken: `tok-${name}` });
      await post(api.url, '/v1/profiles', WRITE, {
        batch: [
          { userId: 'ana', traits: full('Ana') },
          { userId: 'bo', traits: full('Bo') },
          { userId: 'cy', traits: full('Cy') },
          { userId: 'dee', traits: { name: 'Dee', email: 'dee@example.test', pushToken: 'tok-dee' } }, // no phone
        ],
      });
      const then = Date.now() - PAST_MS;
      const cart = (userId: string, at: number) => ({ userId, event: 'Added to Cart', messageId: `cart-${userId}`, timestamp: at, properties: { productName: 'Trail Running Shoes', price: 89.99, currency: 'EUR' } });
      await post(api.url, '/v1/events', WRITE, {
        batch: [cart('ana', then), cart('cy', then + 1), cart('dee', then + 2), { userId: 'cy', event: 'Charged', messageId: 'charge-cy', timestamp: then + 100 }],
      });

      // The api process alone fires no timer: their windows closed long ago, yet everyone still waits to
      // qualify. (Waiting can only make this easier to fail, never harder: the pause is not a race.)
      await sleep(1_000);
      assert.deepEqual((await call(api.url, 'GET', '/v1/messages', ADMIN)).body.messages, []);
      const ana = (await call(api.url, 'GET', '/v1/users/ana/journeys', ADMIN)).body.instances;
      const anaEvents = async () => JSON.stringify((await call(api.url, 'GET', '/v1/users/ana/events', ADMIN)).body);
      assert.deepEqual(ana.map((i: { status: string }) => i.status), ['pending'], `ana's events: ${await anaEvents()}`);

      // A worker learns of timers set by other processes by polling (here every 100 ms).
      const worker = await startServe('worker', database, ['--poll-ms', '100']);
      try {
        assert.match(worker.output().stdout, /listening on http:\S+ \(role worker: timers and sends; serves \/health and \/ready only; PostgreSQL .*schema wm_test_\w+\)/);
        assert.deepEqual(await call(worker.url, 'GET', '/health', null), { status: 200, body: { ok: true } });
        assert.deepEqual(await call(worker.url, 'GET', '/ready', null), { status: 200, body: { ready: true } });
        assert.equal((await call(worker.url, 'GET', '/v1/messages', ADMIN)).status, 404, 'a worker serves no API');

        // The worker qualifies the waiting users and sends their push (their SMS and email follow at once: later
        // steps keep their spacing from the due time, which is long past). bo abandons a cart now, gets the push,
        // then buys, inside his 60 s delay.
        await post(api.url, '/v1/events', WRITE, cart('bo', Date.now()));
        const sentTo = async (userId: string) => ((await call(api.url, 'GET', `/v1/users/${userId}/messages`, ADMIN)).body.messages as Array<{ nodeId: string; status: string; reason: string | null }>).map((m) => `${m.nodeId}:${m.status}${m.reason ? `:${m.reason}` : ''}`);
        await waitFor('bo gets the push', async () => (await sentTo('bo')).length > 0, 60_000);
        await post(api.url, '/v1/events', WRITE, { userId: 'bo', event: 'Charged', messageId: 'charge-bo' });

        await waitFor('ana and dee finish the journey', async () => (await sentTo('ana')).length === 3 && (await sentTo('dee')).length === 3, 60_000);
        assert.deepEqual(await sentTo('ana'), ['push-free-shipping:sent', 'sms-10-off:sent', 'email-final-reminder:sent']);
        assert.deepEqual(await sentTo('dee'), ['push-free-shipping:sent', 'sms-10-off:skipped:no_phone', 'email-final-reminder:sent']);
        assert.deepEqual(await sentTo('bo'), ['push-free-shipping:sent']);
        assert.deepEqual(await sentTo('cy'), []);

        const stats = (await call(api.url, 'GET', '/v1/journeys/cart/stats', ADMIN)).body;
        assert.deepEqual(
          { entered: stats.totals.entered, notQualified: stats.totals.notQualified, goal: stats.totals.goal, completed: stats.totals.completed },
          { entered: 3, notQualified: 1, goal: 1, completed: 2 },
        );
        const node = (id: string) => stats.nodes.find((n: { nodeId: string }) => n.nodeId === id);
        assert.deepEqual([node('push-free-shipping').sent, node('sms-10-off').sent, node('sms-10-off').skipped, node('email-final-reminder').sent], [3, 1, 1, 2]);
        const live = await schema.query<{ n: number }>("SELECT count(*)::int AS n FROM instances WHERE status <> 'exited'");
        assert.equal(live[0]!.n, 0, 'every instance has ended');

        // SIGTERM: /ready answers 503 while the api process drains, then it stops cleanly.
        api.child.kill('SIGTERM');
        const notReady = await waitFor('/ready to answer 503', async () => {
          const r = await call(api.url, 'GET', '/ready', null);
          return r.status === 503 ? r : null;
        }, 5_000, 20); // inside the 5 s drain
        assert.deepEqual(notReady.body, { ready: false, reason: 'shutting down' });
        assert.equal((await call(api.url, 'GET', '/health', null)).status, 200, 'alive while draining');
        assert.equal(await exitWithin(api.child, () => api.output().stderr), 0);
        assert.match(api.output().stdout, /SIGTERM: stopping \(finishing requests and queued work\)\.\.\.\nstopped\n$/);

        assert.equal(await worker.stop(), 0);
        assert.match(worker.output().stdout, /SIGTERM: stopping .*\nstopped\n$/s);
        assert.equal(worker.output().stderr, '');
      } finally {
        worker.child.kill('SIGKILL');
      }
    } finally {
      api.child.kill('SIGKILL');
      await schema.drop();
    }
  });
});
