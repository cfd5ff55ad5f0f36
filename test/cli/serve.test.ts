import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../helpers.ts';
import { runCli, serve } from './run.ts';

test('serve: keys shown once, example published, journey and events commands against it, clean shutdown', async () => {
  const dir = tempDir('waymark-cli-serve-');
  const db = join(dir, 'data', 'waymark.db');

  // First start: random keys, printed once.
  const first = await serve(db);
  const printed = first.output().stdout;
  assert.match(printed, /will not be shown again/);
  const admin = /admin key: (wm_admin_\S+)/.exec(printed)?.[1];
  const write = /write key: (wm_write_\S+)/.exec(printed)?.[1];
  assert.ok(admin && write, printed);
  assert.match(printed, /example journey abandoned-cart created from examples\/abandoned-cart\.json and published \(version 1\)/);
  assert.deepEqual(await (await fetch(`${first.url}/health`)).json(), { ok: true });

  const env = { WAYMARK_URL: first.url, WAYMARK_ADMIN_KEY: admin, WAYMARK_WRITE_KEY: write };
  const events = join(dir, 'events.ndjson');
  writeFileSync(events, Array.from({ length: 25 }, (_, i) => JSON.stringify({ at: i * 10, userId: `u${i % 7}`, event: i % 3 ? 'Added to Cart' : 'Charged', properties: { i } })).join('\n') + '\n');
  const badEvents = join(dir, 'bad-events.ndjson');
  writeFileSync(badEvents, `${JSON.stringify({ userId: 'a', event: 'Charged', timestamp: '2026-01-01T00:00:00Z' })}\n{"userId": "b", "event": }\n`);

  // The list first: it lists every journey, so it would race the apply below.
  const list = await runCli(['journey', 'list'], env);
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, /^ID +STATUS +VERSION +UPDATED +NAME\nabandoned-cart +running +1 +\S+ +Abandoned cart recovery\n$/);
  const wrongKey = await runCli(['journey', 'list', '--key', 'not-a-key'], env);
  assert.equal(wrongKey.code, 1);
  assert.match(wrongKey.stderr, /^waymark: GET \/v1\/journeys failed with 401: invalid API key\n$/);
  const missing = await runCli(['journey', 'publish', 'nope'], env);
  assert.equal(missing.code, 1);
  assert.equal(missing.stderr, 'waymark: POST /v1/journeys/nope/publish failed with 404: no journey "nope"\n');

  // Independent commands side by side; each sequence in order.
  await Promise.all([
    (async () => {
      const applied = await runCli(['journey', 'apply', 'examples/abandoned-cart-quiet-hours.json', '--id', 'quiet'], env);
      assert.equal(applied.code, 0, applied.stderr);
      assert.match(applied.stdout, /^created journey quiet \(".*"\); not running yet/);
      const published = await runCli(['journey', 'publish', 'quiet'], env);
      assert.equal(published.stdout, 'published journey quiet version 1\n');
      const updated = await runCli(['journey', 'apply', 'examples/abandoned-cart-quiet-hours.json', '--id', 'quiet'], env);
      assert.match(updated.stdout, /^updated the draft of journey quiet .*version 1 until you publish again\n$/);
    })(),
    (async () => {
      // Workload lines need --start; a re-import is all duplicates; a bad line stops with its number.
      const noStart = await runCli(['events', 'import', events], env);
      assert.equal(noStart.code, 1);
      assert.match(noStart.stderr, /line 1: a workload line \("at" offset\) needs --start to place it in time \(nothing was sent\)\n$/);
      const imported = await runCli(['events', 'import', events, '--start', '2026-01-01T00:00:00Z', '--batch', '10'], env);
      assert.equal(imported.code, 0, imported.stderr);
      assert.match(imported.stdout, /: 25 events sent, 25 accepted, 0 duplicates in [\d.]+ s/);
      const again = await runCli(['events', 'import', events, '--start', '2026-01-01T00:00:00Z'], env);
      assert.match(again.stdout, /: 25 events sent, 0 accepted, 25 duplicates in /);
      const bad = await runCli(['events', 'import', badEvents], env);
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /^waymark: .*bad-events\.ndjson: line 2: not valid JSON .* \(nothing was sent\)\n$/);
    })(),
  ]);

  assert.equal(await first.stop(), 0);
  assert.match(first.output().stdout, /SIGTERM: stopping.*\nstopped\n$/s);

  // Second start on the same database: no new keys, the example is left alone, the old keys still work.
  const second = await serve(db, { WAYMARK_ADMIN_KEY: 'ignored-seed-0123456789' });
  assert.doesNotMatch(second.output().stdout, /key/);
  assert.match(second.output().stdout, /example journey abandoned-cart exists already; left as it is/);
  const relisted = await runCli(['journey', 'list', '--json'], { ...env, WAYMARK_URL: second.url });
  assert.deepEqual(
    JSON.parse(relisted.stdout).map((j: { id: string }) => j.id),
    ['abandoned-cart', 'quiet'],
  );
  assert.equal(await second.stop('SIGINT'), 0);
});

test('serve: a graceful stop that cannot finish ends at --shutdown-ms with exit 1, naming what it waited on', { timeout: 120_000 }, async () => {
  const dir = tempDir('waymark-cli-serve-');
  const server = await serve(join(dir, 'waymark.db'), {}, undefined, ['--shutdown-ms', '300']);
  // A request whose body never finishes arriving: closing the listener waits for it. The server answers
  // "100 Continue" once it has read the headers, so the request is under way when the signal comes.
  const { port } = new URL(server.url);
  const socket = connect(Number(port), '127.0.0.1');
  const answered = new Promise<string>((resolve) => socket.once('data', (d) => resolve(String(d))));
  socket.write('POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\nExpect: 100-continue\r\n\r\n');
  assert.match(await answered, /^HTTP\/1\.1 100 Continue/);
  socket.write('{"batch": [');
  assert.equal(await server.stop(), 1);
  assert.match(server.output().stderr, /^waymark: shutdown still waiting for requests under way after 300 ms; exiting without finishing it\n$/m);
  socket.destroy();
});

test('serve: a --shutdown-ms that is not a whole number from 1 to 3600000 is refused before anything is opened', async () => {
  const dir = tempDir('waymark-cli-serve-');
  const db = join(dir, 'waymark.db');
  for (const value of ['0', '-5', 'abc', '1.5', '3600001', '1e400', '9'.repeat(10_000), '']) {
    const result = await runCli(['serve', '--db', db, '--port', '0', '--shutdown-ms', value]);
    assert.equal(result.code, 1, JSON.stringify(value.slice(0, 20)));
    assert.match(result.stderr, /--shutdown-ms must be a whole number from 1 to 3600000\./);
  }
  assert.equal(existsSync(db), false, 'no database was made');
});

test('serve --shards: a number from 1 to 8, on SQLite with its engine threads, refused otherwise before anything is opened', async () => {
  const dir = tempDir('waymark-cli-serve-');
  const db = join(dir, 'waymark.db');
  for (const value of ['0', '9', 'two']) {
    const result = await runCli(['serve', '--db', db, '--port', '0', '--shards', value]);
    assert.equal(result.code, 1, value);
    assert.match(result.stderr, /--shards must be a whole number from 1 to 8\./);
  }
  const oneThread = await runCli(['serve', '--db', db, '--port', '0', '--shards', '2', '--no-engine-thread']);
  assert.equal(oneThread.code, 1);
  assert.match(oneThread.stderr, /--shards runs an engine thread for each shard: leave out --no-engine-thread/);
  const postgres = await runCli(['serve', '--database', 'postgres://w:secret@127.0.0.1:1/w', '--port', '0', '--shards', '2']);
  assert.equal(postgres.code, 1);
  assert.match(postgres.stderr, /--shards is for SQLite: on PostgreSQL, add worker processes \(--role worker\)/);
  assert.equal(existsSync(db), false, 'no database was made');
});

test('serve --shards 2 serves a new database split in two, and refuses it started again without --shards', async () => {
  const dir = tempDir('waymark-cli-serve-');
  const db = join(dir, 'waymark.db');
  const server = await serve(db, {}, undefined, ['--shards', '2']);
  assert.match(server.output().stdout, /Waymark listening on http:\S+ \(role all: API and workers; SQLite \S+waymark\.db and 1 shard file beside it\)/);
  assert.equal((await fetch(`${server.url}/ready`)).status, 200);
  assert.equal(await server.stop(), 0);
  assert.equal(existsSync(join(dir, 'waymark.shard_1.db')), true);
  for (const args of [[], ['--no-engine-thread']]) {
    const unsplit = await runCli(['serve', '--db', db, '--port', '0', ...args]);
    assert.equal(unsplit.code, 1, args.join(' '));
    assert.match(unsplit.stderr, /waymark\.db is split into 2 shards: start it with --shards 2/);
  }
});
