/** `waymark stats` and `waymark explain` against a real server: readable tables, the API's JSON, clear errors. */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../helpers.ts';
import { runCli, serve } from './run.ts';
import { path } from '../journeys.ts';

/**
 * Sign-up sends an SMS, then waits a day (the test ends long before). 30% held out: FNV-1a buckets of
 * ("welcome", user), worked out by hand, put u7 (9) and lu (10) in the control group; ana (77), bo (62),
 * cy (77) and dee (33) enter.
 */
const welcome = path('Welcome', [
    { id: 'signed-up', kind: 'entry', trigger: { type: 'action', event: 'Signed Up' } },
    { id: 'sms-welcome', kind: 'send', channel: 'sms', message: { body: 'Welcome aboard!' } },
    { id: 'wait-1d', kind: 'delay', duration: '1d' },
    { id: 'email-tip', kind: 'send', channel: 'email', message: { subject: 'A tip', body: 'Try the wishlist.' } },
    { id: 'done', kind: 'exit' },
], {
  setup: { reentry: 'never', timeout: '7d', controlGroupPercent: 30 },
  goals: [{ id: 'purchase', event: 'Purchased', exitOnGoal: true }],
});

/** Times differ from run to run: each ISO instant becomes a placeholder of the same width, so columns stay aligned. */
const times = (text: string) => text.replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/g, 'YYYY-MM-DDTHH:MM:SS.sssZ');

test('stats and explain: tables by default, the API answer with --json, one line for an unknown journey', async () => {
  const dir = tempDir('waymark-cli-reads-');
  const server = await serve(join(dir, 'waymark.db'));
  const printed = server.output().stdout;
  const admin = /admin key: (wm_admin_\S+)/.exec(printed)![1]!;
  const write = /write key: (wm_write_\S+)/.exec(printed)![1]!;
  const env = { WAYMARK_URL: server.url, WAYMARK_ADMIN_KEY: admin };
  const post = async (path: string, body: unknown) => {
    const response = await fetch(`${server.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${write}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    assert.equal(response.status, 200, await response.text());
  };
  const api = async (path: string) => (await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${admin}` } })).json();

  const file = join(dir, 'welcome.json');
  writeFileSync(file, JSON.stringify(welcome));
  assert.equal((await runCli(['journey', 'apply', file], env)).code, 0);
  assert.equal((await runCli(['journey', 'publish', 'welcome'], env)).code, 0);
  // bo has no phone: his SMS is skipped. ana, cy and dee buy while waiting; of the control group, lu does.
  const users = ['ana', 'bo', 'cy', 'dee', 'lu', 'u7'];
  await post('/v1/profiles', { batch: users.map((userId) => ({ userId, traits: userId === 'bo' ? { email: 'bo@example.test' } : { phone: '+15550001' } })) });
  await post('/v1/events', { batch: users.map((userId) => ({ userId, event: 'Signed Up' })) });
  await post('/v1/events', { batch: ['ana', 'cy', 'dee', 'lu'].map((userId) => ({ userId, event: 'Purchased' })) });

  const [stats, statsJson, bo, boJson, lu, never, unknown, unknownExplain, noKey] = await Promise.all([
    runCli(['stats', 'welcome'], env),
    runCli(['stats', 'welcome', '--json'], env),
    runCli(['explain', 'bo', '--journey', 'welcome'], env),
    runCli(['explain', 'bo', '--json'], env),
    runCli(['explain', 'lu'], env),
    runCli(['explain', 'zed', '--journey', 'welcome', '--url', server.url, '--key', admin], {}),
    runCli(['stats', 'nope'], env),
    runCli(['explain', 'bo', '--journey', 'nope'], env),
    runCli(['stats', 'welcome'], { WAYMARK_URL: server.url }),
  ]);

  assert.equal(stats.code, 0, stats.stderr);
  // Entered 4, converted 3: 75%; control 2, converted 1: 50%; uplift (0.75 - 0.5) / 0.5 = +50%.
  assert.equal(
    stats.stdout,
    [
      'journey welcome (version 1)',
      '  qualified           6',
      '  not qualified       0',
      '  entered             4  converted 3 (75.0%)',
      '  control group       2  converted 1 (50.0%)',
      "  uplift         +50.0%  conversion rate of those who entered against the control group's",
      '  timed out           0',
      '  completed           0',
      '  stopped             0',
      '  merged              0',
      '',
      'NODE         KIND   ENTERED  SENT  SKIPPED  FAILED  GOAL  SKIPPED BY REASON',
      'sms-welcome  send         4     3        1       0     0  no_phone 1',
      'wait-1d      delay        4     -        -       -     3',
      'email-tip    send         0     0        0       0     0',
      'done         exit         0     -        -       -     0',
      '',
    ].join('\n'),
  );
  assert.equal(statsJson.code, 0, statsJson.stderr);
  assert.deepEqual(JSON.parse(statsJson.stdout), await api('/v1/journeys/welcome/stats'));
  // Pooled 4/6; SE = sqrt(2/3 * 1/3 * (1/4 + 1/2)) = sqrt(1/6) = 0.40825; z = 0.25 / 0.40825 = 0.6124; p = 2 * (1 - 0.72986) = 0.5403.
  assert.deepEqual(JSON.parse(statsJson.stdout).conversion, {
    target: { entered: 4, converted: 3, rate: 0.75 },
    control: { users: 2, converted: 1, rate: 0.5 },
    uplift: 0.5,
    significance: { z: 0.6124, pValue: 0.5403, significant: false },
  });

  assert.equal(bo.code, 0, bo.stderr);
  assert.equal(
    times(bo.stdout),
    [
      'user bo',
      '',
      'welcome version 1: active, entered YYYY-MM-DDTHH:MM:SS.sssZ',
      '  in the journey since YYYY-MM-DDTHH:MM:SS.sssZ, now at delay node "wait-1d" (a 1d delay) until YYYY-MM-DDTHH:MM:SS.sssZ',
      '  NODE         CHANNEL  OUTCOME  AT                        WHY',
      '  sms-welcome  sms      skipped  YYYY-MM-DDTHH:MM:SS.sssZ  skipped: the profile has no phone',
      '  email-tip    email    pending  -                         not yet: the user is waiting at delay node "wait-1d" (a 1d delay) until YYYY-MM-DDTHH:MM:SS.sssZ',
      '',
    ].join('\n'),
  );
  assert.equal(boJson.code, 0, boJson.stderr);
  assert.deepEqual(JSON.parse(boJson.stdout), await api('/v1/users/bo/explain'));

  assert.equal(lu.code, 0, lu.stderr);
  assert.match(lu.stdout, /^welcome version 1: exited \(goal\), entered \S+\n {2}exited on goal "purchase" \("Purchased"\) at \S+ as a control-group user\n/m);
  assert.match(lu.stdout, /^ {2}sms-welcome +sms +not_reached +- +held out in the control group/m);

  assert.equal(never.code, 0, never.stderr);
  assert.equal(never.stdout, 'user zed\n\nnote: no "Signed Up" event is recorded for this user, so "welcome" never started for them\n');

  assert.equal(unknown.code, 1);
  assert.equal(unknown.stdout, '');
  assert.equal(unknown.stderr, `waymark: no journey "nope" at ${server.url} ("waymark journey list" shows the journeys there)\n`);
  assert.equal(unknownExplain.code, 1);
  assert.equal(unknownExplain.stderr, `waymark: no journey "nope" at ${server.url} ("waymark journey list" shows the journeys there)\n`);
  assert.equal(noKey.code, 1);
  assert.equal(noKey.stderr, 'waymark: no API key: pass --key or set WAYMARK_ADMIN_KEY\n');

  assert.equal(await server.stop(), 0);
});
