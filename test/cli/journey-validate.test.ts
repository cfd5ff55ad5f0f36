import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT, tempDir } from '../helpers.ts';
import { runCli, serve } from './run.ts';
import { path } from '../journeys.ts';

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

/** Entry -> delay until 22:00 -> SMS -> exit, with quiet hours 21:00-09:00: the SMS always lands inside them. */
function eveningJourney(whenInDnd: 'defer' | 'skip', goal = 'Charged') {
  return path('Evening nudge', [
      { id: 'start', kind: 'entry', trigger: { type: 'action', event: 'Signed Up' } },
      { id: 'evening', kind: 'delay', untilTime: '22:00' },
      { id: 'text', kind: 'send', channel: 'sms', message: { body: 'Hi' } },
      { id: 'done', kind: 'exit' },
  ], {
    setup: { timezone: 'UTC', dnd: { start: '21:00', end: '09:00', whenInDnd } },
    goals: [{ id: 'bought', event: goal }],
  });
}

const DEFERRED = 'send "text" is scheduled inside DND hours: it comes right after delay "evening", which ends at 22:00, always inside the DND hours, so it will always be deferred to when the window ends (09:00)';

test('journey validate runs the publish checks: errors exit 1 with every problem, warnings are printed after OK', async () => {
  const dir = tempDir();
  const refused = join(dir, 'refused.json');
  writeFileSync(refused, JSON.stringify(eveningJourney('skip', 'Signed Up')));
  const r = await runCli(['journey', 'validate', refused]);
  assert.equal(r.code, 1);
  assert.equal(
    r.stdout,
    '/goals/0/event: goal "bought" is the entry event "Signed Up" with no filters: every user has done it just to enter, so the goal measures nothing (doing it again counts as converting); make the goal the event that means success\n' +
      '/nodes/2: send "text" is scheduled inside DND hours and would never be sent: it comes right after delay "evening", which ends at 22:00, always inside the DND hours, and whenInDnd is "skip"\n',
  );
  assert.match(r.stderr, /^waymark: .*refused\.json is a valid draft but would be refused at publish: 2 problems\n$/);

  const warned = join(dir, 'warned.json');
  writeFileSync(warned, JSON.stringify(eveningJourney('defer')));
  const w = await runCli(['journey', 'validate', warned]);
  assert.equal(w.code, 0, w.stderr);
  assert.equal(w.stdout, `OK ${warned}: "Evening nudge", 4 nodes, 3 edges; 1 warning\n  warning /nodes/2: ${DEFERRED}\n`);
  assert.equal(w.stderr, '');
});

test('journey publish: a refusal lists every problem and exits 1; warnings are printed with the published version', async () => {
  const dir = tempDir('waymark-cli-publish-');
  const server = await serve(join(dir, 'waymark.db'));
  try {
    const admin = /admin key: (wm_admin_\S+)/.exec(server.output().stdout)?.[1];
    assert.ok(admin, server.output().stdout);
    const env = { WAYMARK_URL: server.url, WAYMARK_ADMIN_KEY: admin };

    const refused = join(dir, 'evening.json');
    writeFileSync(refused, JSON.stringify(eveningJourney('skip')));
    assert.equal((await runCli(['journey', 'apply', refused], env)).code, 0, 'a draft may be saved');
    const no = await runCli(['journey', 'publish', 'evening'], env);
    assert.equal(no.code, 1);
    assert.equal(no.stdout, '');
    const lines = no.stderr.trim().split('\n');
    assert.match(lines[0]!, /^waymark: POST \/v1\/journeys\/evening\/publish failed with 400: invalid journey definition: \/definition\/nodes\/2 send "text" is scheduled inside DND hours/);
    assert.deepEqual(lines.slice(1), [
      '  /definition/nodes/2: send "text" is scheduled inside DND hours and would never be sent: it comes right after delay "evening", which ends at 22:00, always inside the DND hours, and whenInDnd is "skip"',
    ]);

    writeFileSync(refused, JSON.stringify(eveningJourney('defer')));
    assert.equal((await runCli(['journey', 'apply', refused], env)).code, 0);
    const yes = await runCli(['journey', 'publish', 'evening'], env);
    assert.equal(yes.code, 0, yes.stderr);
    assert.equal(yes.stdout, `published journey evening version 1, with 1 warning\n  warning /definition/nodes/2: ${DEFERRED}\n`);
    assert.equal(yes.stderr, '');
  } finally {
    await server.stop();
  }
});

test('journey validate warns about template names other than Profile, Event and EventName, as publish does', async () => {
  const definition = eveningJourney('defer');
  (definition.nodes[2] as { message: { body: string } }).message.body = 'Hi {{ Profil.Nmae }}';
  const file = join(tempDir(), 'typo.json');
  writeFileSync(file, JSON.stringify(definition));
  const r = await runCli(['journey', 'validate', file]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(
    r.stdout,
    `OK ${file}: "Evening nudge", 4 nodes, 3 edges; 2 warnings\n  warning /nodes/2: ${DEFERRED}\n` +
      '  warning /nodes/2/message/body: Profil.Nmae at line 1, column 7: a template can read only Profile, Event and EventName, so "Profil" is blank for every user (did you mean Profile?)\n',
  );
});

test('journey validate refuses a template that includes a file, at its path', async () => {
  const definition = eveningJourney('defer');
  (definition.nodes[2] as { message: { body: string } }).message.body = "{% include 'package.json' %}";
  const file = join(tempDir(), 'include.json');
  writeFileSync(file, JSON.stringify(definition));
  const r = await runCli(['journey', 'validate', file]);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '/nodes/2/message/body: templates cannot include files ({% include %}) at line 1, column 1\n');
});
