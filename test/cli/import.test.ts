/**
 * `waymark events import` and `waymark profiles import` from CSV and NDJSON against a real server, and
 * `--resume` after a failure: what is stored is read back from the store and compared with values worked out
 * by hand from the files.
 */
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { startApi } from '../api/helpers.ts';
import { forEachStore, tempDir } from '../helpers.ts';
import { runCli } from './run.ts';

await forEachStore((store) => {
  test('a CSV of events: reserved columns make the event, the others its properties, typed as written', async () => {
    const api = await startApi({ store });
    const env = { WAYMARK_URL: api.url, WAYMARK_WRITE_KEY: api.write };
    const file = join(tempDir(), 'carts.csv');
    writeFileSync(
      file,
      '\ufeffuserId,event,timestamp,messageId,price,sku,gift,note\r\n' +
        '123,Added to Cart,2026-11-02T15:00:00Z,c-1,19.99,00123,true,"red, size 42"\r\n' +
        'bo,Added to Cart,1793631600000,c-2,5,X1,false,"two\nlines"\r\n' +
        'bo,Charged,2026-11-02T16:00:00Z,,,,,\r\n',
    );
    const imported = await runCli(['events', 'import', file], env);
    assert.equal(imported.code, 0, imported.stderr);
    assert.match(imported.stdout, /^imported .*carts\.csv: 3 events sent, 3 accepted, 0 duplicates in /);

    const [ana] = await api.waymark.store.userEvents('123', 10);
    assert.deepEqual(
      { id: ana!.messageId, name: ana!.name, at: ana!.timestamp, properties: ana!.properties },
      { id: 'c-1', name: 'Added to Cart', at: Date.UTC(2026, 10, 2, 15), properties: { price: 19.99, sku: '00123', gift: true, note: 'red, size 42' } },
    );
    const bo = (await api.waymark.store.userEvents('bo', 10)).sort((a, b) => a.timestamp - b.timestamp);
    assert.deepEqual(bo.map((e) => [e.name, e.timestamp, e.properties]), [
      ['Added to Cart', 1793631600000, { price: 5, sku: 'X1', gift: false, note: 'two\nlines' }],
      ['Charged', Date.UTC(2026, 10, 2, 16), {}],
    ]);
    // The row without a messageId gets one from its line (line 5: the quoted newline makes row 3 two lines).
    assert.match(bo[1]!.messageId, /^l0000005-[0-9a-f]{20}$/);

    const again = await runCli(['events', 'import', file], env);
    assert.match(again.stdout, /: 3 events sent, 0 accepted, 3 duplicates in /);
  });

  test('profiles from CSV and NDJSON: phone numbers and zip codes keep their digits, empty cells change nothing', async () => {
    const api = await startApi({ store });
    const env = { WAYMARK_URL: api.url, WAYMARK_WRITE_KEY: api.write };
    const dir = tempDir();
    writeFileSync(join(dir, 'first.ndjson'), '{"userId":"ana","Name":"Ana","Tier":"gold"}\n\n{"userId":"bo","traits":{"Name":"Bo"}}\n');
    const first = await runCli(['profiles', 'import', join(dir, 'first.ndjson')], env);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /: 2 profiles sent in /);

    writeFileSync(join(dir, 'crm.csv'), 'userId,phone,zip,Age,vip,Tier\nana,+14155550100,02134,41,true,\nbo,,,7.5,false,silver\n');
    const second = await runCli(['profiles', 'import', join(dir, 'crm.csv')], env);
    assert.equal(second.code, 0, second.stderr);
    const profiles = new Map((await api.waymark.store.profilesOf(['ana', 'bo'])).map((p) => [p.userId, p.traits]));
    assert.deepEqual(profiles.get('ana'), { Name: 'Ana', Tier: 'gold', phone: '+14155550100', zip: '02134', Age: 41, vip: true });
    assert.deepEqual(profiles.get('bo'), { Name: 'Bo', Age: 7.5, vip: false, Tier: 'silver' });
  });

  test('an import stopped by a bad line resumes after the last line the server took', async () => {
    const api = await startApi({ store });
    const env = { WAYMARK_URL: api.url, WAYMARK_WRITE_KEY: api.write };
    const file = join(tempDir(), 'events.ndjson');
    const line = (i: number) => JSON.stringify({ userId: `u${i}`, event: 'Viewed', messageId: `v-${i}`, timestamp: '2026-11-02T15:00:00Z' });
    writeFileSync(file, [line(1), line(2), line(3), '{"userId":"u4","event":', line(5), ''].join('\n'));

    // Batches of 2: lines 1-2 go, line 3 waits in the next batch when line 4 stops the import.
    const failed = await runCli(['events', 'import', file, '--batch', '2'], env);
    assert.equal(failed.code, 1);
    assert.match(failed.stderr, /events\.ndjson: line 4: not valid JSON .* \(2 events before it were sent; fix it and run the same command with --resume to go on after line 2\)\n$/);
    assert.ok(existsSync(`${file}.import-progress`));
    assert.deepEqual((await api.waymark.store.userEvents('u3', 10)).length, 0);

    writeFileSync(file, [line(1), line(2), line(3), line(4), line(5), ''].join('\n'));
    const resumed = await runCli(['events', 'import', file, '--batch', '2', '--resume'], env);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stdout, /^imported .*events\.ndjson, resumed after line 2: 3 events sent, 3 accepted, 0 duplicates in /);
    assert.equal(existsSync(`${file}.import-progress`), false, 'a finished import leaves no progress behind');
    for (const i of [1, 2, 3, 4, 5]) assert.deepEqual((await api.waymark.store.userEvents(`u${i}`, 10)).map((e) => e.messageId), [`v-${i}`]);

    // Nothing kept: --resume says so and imports from the top (all duplicates now).
    const fresh = await runCli(['events', 'import', file, '--resume'], env);
    assert.match(fresh.stderr, /no progress kept for .*events\.ndjson: importing it from the top/);
    assert.match(fresh.stdout, /: 5 events sent, 0 accepted, 5 duplicates in /);
  });

  test('a batch the server refuses names the file\'s lines, and a profiles import never resumes an events one', async () => {
    const api = await startApi({ store });
    const env = { WAYMARK_URL: api.url, WAYMARK_WRITE_KEY: api.write };
    const file = join(tempDir(), 'people.csv');
    writeFileSync(file, `userId,Name\nana,Ana\nbo,${'x'.repeat(3)}\n`);
    writeFileSync(`${file}.import-progress`, '{"kind":"events","line":2,"sent":1}\n');
    const refused = await runCli(['profiles', 'import', file, '--resume'], env);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /people\.csv\.import-progress is not the progress of a profiles import: delete it, or import without --resume\n$/);
  });
});

test('CSV the importer cannot take: a header naming a column twice, a quote never closed, no userId', async () => {
  const dir = tempDir();
  // No server is needed to refuse these: the file is read before anything is sent.
  const env = { WAYMARK_URL: 'http://127.0.0.1:9', WAYMARK_WRITE_KEY: 'wk_unused' };
  writeFileSync(join(dir, 'twice.csv'), 'userId,event,event\nana,Viewed,Viewed\n');
  const twice = await runCli(['events', 'import', join(dir, 'twice.csv')], env);
  assert.equal(twice.code, 1);
  assert.match(twice.stderr, /twice\.csv: line 1: the header row names "event" twice \(nothing was sent\)\n$/);

  writeFileSync(join(dir, 'open.csv'), 'userId,event\nana,"Viewed\n');
  const open = await runCli(['events', 'import', join(dir, 'open.csv')], env);
  assert.equal(open.code, 1);
  assert.match(open.stderr, /open\.csv: line \d+: not valid CSV \(.*quote.*\) \(nothing was sent\)\n$/i);

  writeFileSync(join(dir, 'nouser.csv'), 'email,event\na@b.test,Viewed\n');
  const noUser = await runCli(['profiles', 'import', join(dir, 'nouser.csv')], env);
  assert.equal(noUser.code, 1);
  assert.match(noUser.stderr, /nouser\.csv: line 2: userId must be a non-empty string \(nothing was sent\)\n$/);
});
