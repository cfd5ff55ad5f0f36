import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileJourney } from '../../src/core/validate.ts';
import { example } from '../helpers.ts';
import { path } from '../journeys.ts';

test('the shipped examples validate', () => {
  for (const name of ['abandoned-cart', 'abandoned-cart-quiet-hours']) {
    const result = compileJourney(example(name));
    assert.equal(result.ok, true, `${name}: ${JSON.stringify(!result.ok && result.problems)}`);
  }
});

test('every problem is listed at once, each with the path it is about', () => {
  const broken = example('abandoned-cart');
  broken.nodes.push({ id: 'orphan', kind: 'delay', duration: '1h' }); // unreachable, and no way out
  broken.nodes.push({ id: 'mystery', kind: 'teleport' } as never); // unknown kind
  broken.edges.push({ from: 'sms-10-off', to: 'nowhere' }); // dangling; sms now has two ways out
  (broken.nodes[2] as { duration: string }).duration = 'two hours';
  const result = compileJourney(broken);
  assert.equal(result.ok, false);
  const problems = result.ok ? [] : result.problems;
  const has = (path: string, pattern: RegExp) =>
    assert.ok(problems.some((p) => p.path === path && pattern.test(p.message)), `expected ${path} ${pattern} in ${JSON.stringify(problems, null, 1)}`);
  has('/nodes/8/kind', /unknown node kind "teleport"/);
  has('/nodes/2/duration', /must be a duration/);
  assert.equal(problems.length, 2, 'schema problems stop before graph checks');

  (broken.nodes[2] as { duration: string }).duration = '2h';
  broken.nodes.pop();
  const graph = compileJourney(broken);
  const graphProblems = graph.ok ? [] : graph.problems;
  const hasGraph = (path: string, pattern: RegExp) =>
    assert.ok(graphProblems.some((p) => p.path === path && pattern.test(p.message)), `expected ${path} ${pattern} in ${JSON.stringify(graphProblems, null, 1)}`);
  hasGraph('/edges/6/to', /unknown node "nowhere"/);
  hasGraph('/nodes/3', /2 outgoing/);
  hasGraph('/nodes/7', /cannot be reached/);
  hasGraph('/nodes/7', /no way out/);
});

test('entry, channel fields, time zone, templates and loops are checked', () => {
  const result = compileJourney(path('bad', [
      { id: 'a', kind: 'delay', duration: '1m' },
      { id: 'p', kind: 'send', channel: 'push', message: { body: 'Hi {{ Profile.Name | nosuchfilter }}' } },
      { id: 'e', kind: 'send', channel: 'email', message: { body: '{% if %}' } },
  ], {
    setup: { timezone: 'Mars/Olympus' },
    branches: [
      { from: 'e', to: 'p' },
    ],
  }));
  assert.equal(result.ok, false);
  const messages = result.ok ? [] : result.problems.map((p) => `${p.path} ${p.message}`);
  const expectations = [/^\/nodes a journey needs exactly one entry node, found 0/, /^\/setup\/timezone unknown IANA time zone/, /^\/nodes\/1\/message\/title a push message needs a title/, /^\/nodes\/2\/message\/subject an email needs a subject/, /^\/nodes\/1\/message\/body template does not parse/, /^\/nodes\/2\/message\/body template does not parse/, /loop with no delay/];
  for (const e of expectations) assert.ok(messages.some((m) => e.test(m)), `expected ${e} in ${JSON.stringify(messages, null, 1)}`);
});

test('non-objects are refused with a readable message', () => {
  const result = compileJourney('not a journey');
  assert.equal(result.ok, false);
  assert.deepEqual(!result.ok && result.problems, [{ path: '/', message: 'must be object' }]);
});

test('edge branch labels: each node kind declares its branches; unknown labels are refused with the edge path', () => {
  const definition = example('abandoned-cart');
  definition.edges[0] = { ...definition.edges[0]!, branch: 'yes' };
  definition.edges[1] = { ...definition.edges[1]!, branch: 'next' }; // explicit "next" is the same as none
  const result = compileJourney(definition);
  const messages = result.ok ? [] : result.problems.map((p) => `${p.path} ${p.message}`);
  assert.ok(messages.includes('/edges/0/branch entry node "cart-abandoned" has no branch "yes"; its branches are "next"'), JSON.stringify(messages, null, 1));
  assert.ok(messages.some((m) => /^\/nodes\/0 node "cart-abandoned" has no "next" edge/.test(m)), JSON.stringify(messages, null, 1));
  assert.equal(messages.length, 2);
});

test('a delay names one way to wait, and its other fields only where they mean something', () => {
  const problemsOf = (delay: Record<string, unknown>) => {
    const compiled = compileJourney(path('d', [
      { id: 'in', kind: 'entry', trigger: { type: 'action', event: 'Go' } },
      { id: 'wait', kind: 'delay', ...delay } as never,
      { id: 'out', kind: 'exit' },
    ]));
    return compiled.ok ? [] : compiled.problems.map((p) => `${p.path}: ${p.message}`);
  };
  assert.deepEqual(problemsOf({ duration: '2h' }), []);
  assert.deepEqual(problemsOf({}), ['/nodes/1: a delay needs exactly one of "duration", "untilTime" or "untilDate"']);
  assert.deepEqual(problemsOf({ duration: '2h', untilTime: '09:00' }), ['/nodes/1: a delay needs exactly one of "duration", "untilTime" or "untilDate"']);
  assert.deepEqual(problemsOf({ duration: '2h', days: ['mon'] }), ['/nodes/1/days: "days" goes with "untilTime"']);
  assert.deepEqual(problemsOf({ untilTime: '09:00', days: ['mon'] }), []);
  assert.deepEqual(problemsOf({ duration: '2h', timezone: 'user' }), ['/nodes/1/timezone: a fixed duration has no time zone; use it with "untilTime" or "untilDate"']);
  assert.deepEqual(problemsOf({ untilTime: '09:00', timezone: 'user' }), []);
  assert.deepEqual(problemsOf({ untilDate: { property: 'renewal', before: '1d', after: '1d' } }), ['/nodes/1/untilDate: give "before" or "after", not both']);
  assert.deepEqual(problemsOf({ untilDate: { property: 'renewal', before: '1d' } }), []);
});

test('a WhatsApp body is held to Twilio’s 1,600 characters; an inbox message needs a title, its link is optional', () => {
  const journey = (nodes: Parameters<typeof path>[1]) => compileJourney(path('chan', [{ id: 'in', kind: 'entry', trigger: { type: 'action', event: 'X' } }, ...nodes, { id: 'out', kind: 'exit' }]));
  const problems = (result: ReturnType<typeof compileJourney>) => (result.ok ? [] : result.problems.map((p) => `${p.path} ${p.message}`));
  assert.equal(journey([{ id: 'w', kind: 'send', channel: 'whatsapp', message: { body: 'x'.repeat(1600) } }]).ok, true);
  assert.deepEqual(problems(journey([{ id: 'w', kind: 'send', channel: 'whatsapp', message: { body: 'x'.repeat(1601) } }])), ["/nodes/1/message/body a WhatsApp message's body is at most 1600 characters"]);
  assert.equal(journey([{ id: 's', kind: 'send', channel: 'sms', message: { body: 'x'.repeat(1601) } }]).ok, true, 'an SMS template may be longer: Twilio judges the rendered text');
  assert.equal(journey([{ id: 'i', kind: 'send', channel: 'inbox', message: { title: 'Hi', body: 'There' } }]).ok, true);
  assert.deepEqual(problems(journey([{ id: 'i', kind: 'send', channel: 'inbox', message: { body: 'There', url: 'https://app.test' } }])), ['/nodes/1/message/title an inbox message needs a title']);
});
