/** Project settings (src/core/settings.ts): the schema's limits, the time zone check, and the caps as the interpreter takes them. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Compile } from 'typebox/compile';
import { capRules, projectTimezoneOf, ProjectSettings, settingsProblems } from '../../src/core/settings.ts';

const check = Compile(ProjectSettings);

test('the schema takes a zone and up to 20 caps, and nothing else', () => {
  assert.equal(check.Check({}), true);
  assert.equal(check.Check({ timezone: 'Europe/Paris', frequencyCaps: [{ max: 3, per: '1d', channel: 'push' }, { max: 10, per: '7d' }] }), true);
  assert.equal(check.Check({ timezone: 'Europe/Paris', colour: 'red' }), false, 'an unknown field is refused');
  assert.equal(check.Check({ timezone: '' }), false, 'an empty zone');
  assert.equal(check.Check({ timezone: 'x'.repeat(64) }), true);
  assert.equal(check.Check({ timezone: 'x'.repeat(65) }), false, 'a zone over 64 characters');
  const cap = { max: 1, per: '1h' };
  assert.equal(check.Check({ frequencyCaps: Array.from({ length: 20 }, () => cap) }), true);
  assert.equal(check.Check({ frequencyCaps: Array.from({ length: 21 }, () => cap) }), false, '21 caps');
  assert.equal(check.Check({ frequencyCaps: [{ max: 0, per: '1h' }] }), false, 'a cap of 0');
  assert.equal(check.Check({ frequencyCaps: [{ max: 1, per: '1 hour' }] }), false, 'a window that is no duration');
  assert.equal(check.Check({ frequencyCaps: [{ max: 1000, per: '1h' }] }), true);
  assert.equal(check.Check({ frequencyCaps: [{ max: 1001, per: '1h' }] }), false, 'a cap over 1,000');
  assert.equal(check.Check({ frequencyCaps: [{ max: 1.5, per: '1h' }] }), false, 'a cap that is no whole number');
  assert.equal(check.Check({ frequencyCaps: [{ max: 1, per: '1h', channel: 'fax' }] }), false, 'a channel there is not');
  assert.equal(check.Check({ frequencyCaps: [{ max: 1, per: '1h', note: 'x' }] }), false, 'an unknown field in a cap');
});

test('settingsProblems: a zone the schema took but no IANA database knows', () => {
  assert.deepEqual(settingsProblems({}), []);
  assert.deepEqual(settingsProblems({ timezone: 'Asia/Kolkata' }), []);
  assert.deepEqual(settingsProblems({ timezone: 'Mars/Olympus' }), [{ path: '/timezone', message: 'unknown IANA time zone "Mars/Olympus"' }]);
});

test("the project's zone: the one set when valid, else UTC (settings stored by hand or by an older version)", () => {
  assert.equal(projectTimezoneOf({ timezone: 'America/New_York' }), 'America/New_York');
  assert.equal(projectTimezoneOf({}), 'UTC');
  assert.equal(projectTimezoneOf({ timezone: 'Mars/Olympus' }), 'UTC');
  assert.equal(projectTimezoneOf({ timezone: 330 }), 'UTC');
});

test('capRules: each cap as a window in milliseconds, on its channel or on all', () => {
  assert.deepEqual(capRules({}), []);
  assert.deepEqual(capRules({ timezone: 'UTC' }), []);
  assert.deepEqual(capRules({ frequencyCaps: [{ max: 3, per: '1d', channel: 'push' }, { max: 10, per: '90m' }] }), [
    { max: 3, perMs: 86_400_000, channel: 'push' },
    { max: 10, perMs: 5_400_000 },
  ]);
  assert.equal('channel' in capRules({ frequencyCaps: [{ max: 10, per: '90m' }] })[0]!, false, 'no channel key at all when the cap names none');
});
