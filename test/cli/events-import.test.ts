/** `waymark events import` against a real server: lines without a timestamp are taken as the API takes them. */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { forEachStore, tempDir } from '../helpers.ts';
import { startApi } from '../api/helpers.ts';
import { runCli } from './run.ts';

await forEachStore((store) => {
  test('a line without a timestamp is stamped by the server on arrival, and a re-import is all duplicates', async () => {
    const api = await startApi({ store });
    const file = join(tempDir(), 'events.ndjson');
    writeFileSync(
      file,
      [
        '{"userId":"ana","event":"Viewed","messageId":"t-1","timestamp":"2026-11-02T15:00:00Z"}',
        '{"userId":"ana","event":"Viewed","properties":{"page":"/shoes"}}',
        '{"userId":"bo","event":"Viewed","messageId":"u-1"}',
        '',
      ].join('\n'),
    );
    const env = { WAYMARK_URL: api.url, WAYMARK_WRITE_KEY: api.write };
    const before = Date.now();
    const imported = await runCli(['events', 'import', file], env);
    const after = Date.now();
    assert.equal(imported.code, 0, imported.stderr);
    assert.match(imported.stdout, /: 3 events sent, 3 accepted, 0 duplicates in /);

    const ana = (await api.waymark.store.userEvents('ana', 10)).sort((a, b) => a.messageId.localeCompare(b.messageId));
    assert.equal(ana.length, 2);
    assert.match(ana[0]!.messageId, /^l0000002-[0-9a-f]{20}$/, 'an id derived from line 2');
    assert.deepEqual(ana[0]!.properties, { page: '/shoes' });
    assert.ok(ana[0]!.timestamp >= before && ana[0]!.timestamp <= after, 'stamped when the server received it');
    assert.deepEqual([ana[1]!.messageId, ana[1]!.timestamp], ['t-1', Date.UTC(2026, 10, 2, 15, 0)]);
    const bo = await api.waymark.store.userEvents('bo', 10);
    assert.deepEqual(bo.map((e) => e.messageId), ['u-1']);
    assert.ok(bo[0]!.timestamp >= before && bo[0]!.timestamp <= after);

    const again = await runCli(['events', 'import', file], env);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /: 3 events sent, 0 accepted, 3 duplicates in /);
  });
});
