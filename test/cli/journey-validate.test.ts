import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT, tempDir } from '../helpers.ts';
import { runCli } from './run.ts';

test('journey validate: the example is valid (exit 0, "OK")', async () => {
  const r = await runCli(['journey', 'validate', 'examples/abandoned-cart.json']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^OK examples\/abandoned-cart\.json: "Abandoned cart recovery", 7 nodes, 6 edges\n$/);
  assert.equal(r.stderr, '');
});

test('journey validate: a broken copy exits 1 and lists every problem with its path', async () => {
  const definition = JSON.parse(readFileSync(join(ROOT, 'examples/abandoned-cart.json'), 'utf8'));
  definition.setup.timezone = 'Mars/Olympus_Mons';
  delete definition.nodes[1].message.title; // a push needs a title
  definition.nodes[3].message.body = '{{ Profile.Name | default: "Hi" '; // unterminated output tag
  definition.edges.push({ from: 'done', to: 'nowhere' });
  const file = join(tempDir(), 'broken.json');
  writeFileSync(file, JSON.stringify(definition, null, 2));

  const r = await runCli(['journey', 'validate', file]);
  assert.equal(r.code, 1);
  const lines = r.stdout.trim().split('\n');
  assert.ok(lines.length >= 4, r.stdout);
  for (const expected of ['/edges/6/to: edge to unknown node "nowhere"', '/setup/timezone: unknown IANA time zone "Mars/Olympus_Mons"', '/nodes/1/message/title: a push message needs a title']) {
    assert.ok(lines.includes(expected), `missing "${expected}" in:\n${r.stdout}`);
  }
  assert.ok(lines.some((l) => l.startsWith('/nodes/3/message/body: template does not parse')), r.stdout);
  assert.match(r.stderr, /^waymark: .*broken\.json is not a valid journey: \d+ problems\n$/);
});

test('journey validate: a missing file or bad JSON is one readable line, exit 1', async () => {
  const missing = await runCli(['journey', 'validate', 'examples/no-such-journey.json']);
  assert.equal(missing.code, 1);
  assert.equal(missing.stderr, 'waymark: journey file examples/no-such-journey.json does not exist\n');

  const file = join(tempDir(), 'bad.json');
  writeFileSync(file, '{"name": ');
  const bad = await runCli(['journey', 'validate', file]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /^waymark: journey file .*bad\.json is not valid JSON: .+\n$/);
  assert.doesNotMatch(bad.stderr, /\n\s+at /, 'no stack trace without --verbose');

  const verbose = await runCli(['--verbose', 'journey', 'validate', file]);
  assert.match(verbose.stderr, /\n\s+at /, 'a stack trace with --verbose');
});
