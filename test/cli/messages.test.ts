/**
 * `waymark messages resend` against a real server: webhooks to a receiver that is down (503, Retry-After: 0,
 * so the 8 attempts are made at once and the messages die within a moment), then up; each dead letter sent
 * again by its id or by --dead with filters is delivered once, under its own id. Mistakes are one line on
 * stderr and exit code 1.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../helpers.ts';
import { path } from '../journeys.ts';
import { eventually } from '../api/helpers.ts';
import { recoveringReceiver } from '../channels/recovering-receiver.ts';
import { runCli, serve } from './run.ts';

const SECRET = `whsec_${Buffer.alloc(32, 5).toString('base64')}`;

test('messages resend: one dead letter by id, the others by --dead with filters, each delivered once; clear one-line errors', { timeout: 120_000 }, async () => {
  const server = await serve(join(tempDir('waymark-cli-resend-'), 'waymark.db'));
  const printed = server.output().stdout;
  const admin = /admin key: (wm_admin_\S+)/.exec(printed)![1]!;
  const write = /write key: (wm_write_\S+)/.exec(printed)![1]!;
  const env = { WAYMARK_URL: server.url, WAYMARK_ADMIN_KEY: admin };
  const call = async (method: string, p: string, body?: unknown, key = admin) => {
    const response = await fetch(`${server.url}${p}`, { method, headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    const answer = await response.json();
    assert.ok(response.ok, `${method} ${p}: ${response.status} ${JSON.stringify(answer)}`);
    return answer;
  };
  const receiver = await recoveringReceiver();
  await call('PUT', '/v1/providers/webhook', { provider: 'webhook', secret: SECRET, allowHosts: ['127.0.0.1'] });
  for (const id of ['orders', 'signup']) {
    const journey = path(id, [
      { id: 'in', kind: 'entry', trigger: { type: 'action', event: id } },
      { id: 'hook', kind: 'send', channel: 'webhook', message: { url: `${receiver.url}/${id}`, body: '{}' } },
      { id: 'out', kind: 'exit' },
    ], { setup: { timezone: 'UTC' } });
    await call('POST', '/v1/journeys', { id, definition: journey });
    await call('POST', `/v1/journeys/${id}/publish`);
  }
  await call('POST', '/v1/events', { batch: [{ userId: 'ana', event: 'orders' }, { userId: 'bo', event: 'orders' }, { userId: 'cy', event: 'signup' }] }, write);
  type Row = { id: string; userId: string; journeyId: string; status: string; attempts: number };
  const log = async (): Promise<Row[]> => (await call('GET', '/v1/messages?limit=100')).messages;
  const rows = await eventually(async () => {
    const all = await log();
    return all.length === 3 && all.every((m) => m.status === 'dead') ? all : undefined;
  }, 60_000, 'three dead letters');
  assert.deepEqual(rows.map((m) => m.attempts), [8, 8, 8]);
  assert.equal(receiver.attempts.length, 24);
  assert.ok(receiver.attempts.every((a) => a.status === 503));
  const idOf = (userId: string) => rows.find((m) => m.userId === userId)!.id;
  receiver.up();

  const oneLine = (result: { code: number | null; stderr: string }, expected: string) => {
    assert.equal(result.code, 1, result.stderr);
    assert.equal(result.stderr, `waymark: ${expected}\n`);
  };
  const [none, both, needsDead, badChannel, nodeAlone, unknown, writeKey, dry] = await Promise.all([
    runCli(['messages', 'resend'], env),
    runCli(['messages', 'resend', idOf('ana'), '--dead'], env),
    runCli(['messages', 'resend', '--journey', 'orders'], env),
    runCli(['messages', 'resend', '--dead', '--channel', 'pigeon'], env),
    runCli(['messages', 'resend', '--dead', '--node', 'hook'], env),
    runCli(['messages', 'resend', 'nope'], env),
    runCli(['messages', 'resend', idOf('ana')], { ...env, WAYMARK_ADMIN_KEY: write }),
    runCli(['messages', 'resend', '--dead', '--journey', 'orders', '--dry-run'], env),
  ]);
  oneLine(none, 'give the id of a dead letter, or --dead to send every dead letter again (narrowed by --journey, --node, --user, --channel, --since, --until)');
  oneLine(both, `give a message id or --dead with filters, not both (--dead with "${idOf('ana')}")`);
  oneLine(needsDead, '--journey needs --dead: say "waymark messages resend --dead --journey"');
  assert.equal(badChannel.code, 1);
  assert.match(badChannel.stderr, /^waymark: --channel "pigeon" is not a channel: ([a-z]+, )+[a-z]+\n$/);
  assert.match(badChannel.stderr, /\bwebhook\b/);
  oneLine(nodeAlone, '--node needs --journey: a node id names a node within one journey');
  oneLine(unknown, `no message "nope" at ${server.url}`);
  assert.equal(writeKey.code, 1);
  assert.match(writeKey.stderr, /^waymark: POST \/v1\/messages\/.+\/resend failed with 403: this route needs the admin key[^\n]*\n$/);
  assert.deepEqual([dry.code, dry.stdout], [0, '2 dead letters would be sent again\n']);
  assert.equal(receiver.attempts.length, 24, 'none of these sent anything');

  const one = await runCli(['messages', 'resend', idOf('ana')], env);
  assert.deepEqual([one.code, one.stdout, one.stderr], [0, `message ${idOf('ana')} is pending again: the dispatcher sends it within seconds (it died of http_503)\n`, '']);
  await eventually(async () => ((await log()).find((m) => m.userId === 'ana')!.status === 'sent' ? true : undefined), 30_000, "ana's message sent");
  assert.deepEqual(receiver.attempts.slice(24), [{ id: idOf('ana'), status: 204 }]);
  oneLine(await runCli(['messages', 'resend', idOf('ana')], env), `message "${idOf('ana')}" was sent: a message the provider took is never sent twice; only a dead letter can be sent again`);

  const many = await runCli(['messages', 'resend', '--dead', '--journey', 'orders', '--channel', 'webhook', '--since', '2000-01-01T00:00:00Z'], env);
  assert.deepEqual([many.code, many.stdout], [0, '1 dead letter sent again: pending, due now\n'], many.stderr);
  const rest = await runCli(['messages', 'resend', '--dead'], env);
  assert.deepEqual([rest.code, rest.stdout], [0, '1 dead letter sent again: pending, due now\n'], rest.stderr);
  await eventually(async () => ((await log()).every((m) => m.status === 'sent') ? true : undefined), 30_000, 'every message sent');
  assert.deepEqual(receiver.attempts.slice(25).map((a) => [a.id, a.status]).sort(), [[idOf('bo'), 204], [idOf('cy'), 204]].sort());
  assert.deepEqual((await runCli(['messages', 'resend', '--dead'], env)).stdout, 'no dead letters match: nothing sent again\n');
  assert.equal(receiver.attempts.length, 27, 'each once');
  assert.deepEqual((await log()).map((m) => m.attempts), [1, 1, 1]);
  await server.stop();
});
