/** The pure helpers of the users, messages and settings pages, with expectations worked out by hand. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SKIP_REASONS } from '../../src/core/channels.ts';
import { appendUnique, filterQuery, nextEventLimit, withExplanations } from '../../web/src/lib/lists.ts';
import { detailBeyond, exitText, REASON_TEXT, reasonFor, reasonText } from '../../web/src/lib/reasons.ts';
import { bodyProblems, capsOf, newRow, placeProblems, rowOf, sentence, settingsFields, unitsFor } from '../../web/src/lib/settings-form.ts';
import { formatInZone, localizeTimes, zoneChoices, zoneOrDefault } from '../../web/src/lib/zoned-time.ts';

test('times read in the project’s zone, in one format', () => {
  const at = Date.UTC(2026, 11, 3, 18, 16, 46);
  assert.equal(formatInZone(at, 'UTC'), '3 Dec 2026, 18:16:46');
  assert.equal(formatInZone(at, 'Asia/Tokyo'), '4 Dec 2026, 03:16:46', 'UTC+9: the next day');
  assert.equal(formatInZone(at, 'America/New_York'), '3 Dec 2026, 13:16:46', 'EST, UTC-5, in December');
  assert.equal(formatInZone(Date.UTC(2026, 6, 1, 12, 0, 0), 'Europe/Paris'), '1 Jul 2026, 14:00:00', 'CEST, UTC+2, in July');
  assert.equal(formatInZone(Date.UTC(2026, 0, 1, 0, 0, 5), 'UTC'), '1 Jan 2026, 00:00:05', 'midnight is 00, not 24');
  assert.equal(formatInZone('2026-12-03T18:16:46.000Z', 'UTC'), '3 Dec 2026, 18:16:46', 'ISO strings as the explain route writes them');
  assert.equal(formatInZone(null, 'UTC'), '—');
  assert.equal(formatInZone('soon', 'UTC'), 'soon');
  assert.equal(formatInZone(at, 'Mars/Olympus'), '3 Dec 2026, 18:16:46', 'a zone the browser does not know: UTC, as the server does');
});

test('the project zone falls back to UTC when unset or unknown', () => {
  assert.equal(zoneOrDefault(undefined), 'UTC');
  assert.equal(zoneOrDefault(''), 'UTC');
  assert.equal(zoneOrDefault('Mars/Olympus'), 'UTC');
  assert.equal(zoneOrDefault('Asia/Tokyo'), 'Asia/Tokyo');
});

test('ISO times inside the server’s sentences are rewritten in the zone, the rest kept', () => {
  assert.equal(
    localizeTimes('due at 2026-12-03T20:00:00.000Z: deferred past do-not-disturb hours', 'Europe/Paris'),
    'due at 3 Dec 2026, 21:00:00: deferred past do-not-disturb hours',
  );
  assert.equal(
    localizeTimes('in the journey since 2026-12-03T10:00:00.000Z, now at delay node "wait" until 2026-12-03T12:30:00.000Z', 'Asia/Tokyo'),
    'in the journey since 3 Dec 2026, 19:00:00, now at delay node "wait" until 3 Dec 2026, 21:30:00',
  );
  assert.equal(localizeTimes('sent by push to token-2026-12-03', 'UTC'), 'sent by push to token-2026-12-03', 'a date without a time is not one');
});

test('the zone list starts with UTC, has every zone once, and keeps a stored zone the browser lacks', () => {
  const zones = zoneChoices();
  assert.equal(zones[0], 'UTC');
  assert.ok(zones.includes('Europe/Paris'));
  assert.equal(new Set(zones).size, zones.length);
  assert.deepEqual(zoneChoices('Etc/Legacy').slice(0, 2), ['UTC', 'Etc/Legacy']);
  assert.equal(zoneChoices('Europe/Paris').length, zones.length, 'a listed zone is not added twice');
});

test('reasons in words: every skip reason the engine records, and the rest', () => {
  assert.equal(reasonFor('skipped', 'frequency_cap'), 'Frequency cap: the project’s limit was reached');
  assert.equal(reasonFor('skipped', 'dnd'), 'Do-not-disturb hours: skipped rather than deferred');
  assert.equal(reasonFor('skipped', 'no_email'), 'Missing address: the profile has no email');
  assert.equal(reasonFor('skipped', 'no_push_token'), 'Missing address: the profile has no push token');
  assert.equal(reasonFor('skipped', 'unsubscribed'), 'Unsubscribed: the user opted out of this channel');
  assert.equal(reasonFor('not_reached', 'control_group'), 'Control group: held out, gets no messages');
  assert.equal(reasonFor('not_reached', 'goal'), 'Goal met: the user left before this message');
  assert.equal(reasonFor('not_reached', null), 'Passed without a message recorded');
  assert.equal(reasonFor('pending', 'dnd_deferred'), 'Deferred past do-not-disturb hours');
  assert.equal(reasonFor('failed', 'connection refused'), 'Delivery failed: connection refused');
  assert.equal(reasonFor('failed', 'render_failed: undefined variable Profile.x'), 'The template failed to render for this user');
  assert.equal(reasonFor('bounced', 'dsn_5.1.1: 550 5.1.1 user unknown'), 'Bounced after sending: dsn_5.1.1: 550 5.1.1 user unknown', "a logged message's status: an email that bounced after it was sent");
  assert.equal(reasonFor('sent', null), null);
  assert.equal(reasonFor('skipped', 'quiet_mode'), 'Quiet mode', 'a code this dashboard does not know yet reads as its words');
  assert.equal(reasonText(''), null);
  for (const code of Object.keys(SKIP_REASONS)) assert.ok(REASON_TEXT[code], `the engine's skip reason ${code} has words`);
});

test('the server’s sentence is shown only when it says more than the words', () => {
  assert.equal(detailBeyond('Missing address: the profile has no email', 'skipped: the profile has no email'), null);
  assert.equal(detailBeyond(null, 'sent by push to tok-ada at 4 Dec 2026, 03:23:46'), 'Sent by push to tok-ada at 4 Dec 2026, 03:23:46');
  assert.equal(
    detailBeyond('Control group: held out, gets no messages', 'held out in the control group: control users get no messages (their conversions still count)'),
    'Held out in the control group: control users get no messages (their conversions still count)',
  );
  assert.equal(detailBeyond('Took another branch', ''), null);
});

test('how a pass through a journey ended', () => {
  assert.equal(exitText({ reason: 'goal', goalId: 'purchase' }), 'Goal met (“purchase”)');
  assert.equal(exitText({ reason: 'goal' }), 'Goal met');
  assert.equal(exitText({ reason: 'timeout' }), 'Timed out');
  assert.equal(exitText({ reason: 'not_qualified' }), 'Never qualified');
  assert.equal(exitText(null), null);
});

test('caps become rows and rows become caps; blanks are caught before sending, ranges are the server’s', () => {
  assert.deepEqual(rowOf({ max: 3, per: '2h', channel: 'sms' }, 7), { key: 7, channel: 'sms', max: '3', amount: '2', unit: 'h' });
  const seconds = rowOf({ max: 1, per: '90s' }, 0);
  assert.deepEqual(seconds, { key: 0, channel: '', max: '1', amount: '90', unit: 's' });
  assert.deepEqual(unitsFor(seconds).map((u) => u.unit), ['s', 'm', 'h', 'd'], 'a finer unit stays offered to the row that has it');
  assert.deepEqual(unitsFor(newRow(1)).map((u) => u.unit), ['m', 'h', 'd']);

  const rows = [
    { key: 1, channel: '', max: '2', amount: '1', unit: 'd' },
    { key: 2, channel: 'email', max: ' 5 ', amount: '12', unit: 'h' },
  ];
  assert.deepEqual(capsOf(rows), { caps: [{ max: 2, per: '1d' }, { max: 5, per: '12h', channel: 'email' }], problems: [] });
  assert.deepEqual(capsOf([{ key: 1, channel: '', max: '', amount: '1.5', unit: 'd' }]).problems, [
    { path: '/frequencyCaps/0/max', message: 'enter a whole number of messages' },
    { path: '/frequencyCaps/0/per', message: 'enter a whole number for the window' },
  ]);
  assert.deepEqual(capsOf([{ key: 1, channel: '', max: '0', amount: '0', unit: 'h' }]), { caps: [{ max: 0, per: '0h' }], problems: [] }, 'sent: the server says what it allows');
});

test('the server’s problems land next to the field they name', () => {
  const fields = settingsFields(2);
  assert.deepEqual(fields, [
    '/timezone',
    '/frequencyCaps',
    '/frequencyCaps/0/channel',
    '/frequencyCaps/0/max',
    '/frequencyCaps/0/per',
    '/frequencyCaps/1/channel',
    '/frequencyCaps/1/max',
    '/frequencyCaps/1/per',
  ]);
  // As PUT /v1/settings answers a body with these mistakes.
  const body = {
    error: 'Bad Request',
    message: 'invalid request body: ...',
    problems: [
      { path: '/frequencyCaps/0/max', message: 'must be >= 1' },
      { path: '/frequencyCaps/0/max', message: 'must be an integer' },
      { path: '/frequencyCaps/1/channel', message: 'must be one of "push", "sms", "email", "webhook"' },
      { path: '/frequencyCaps/1', message: 'must not have property "extra"' },
      { path: '/surprise', message: 'must not be there' },
      { path: '/limit', message: 'must be <= 1000', in: 'querystring' },
    ],
  };
  const problems = bodyProblems(body);
  assert.equal(problems.length, 5, 'the query string problem is not about a field of the form');
  assert.deepEqual(placeProblems(problems, fields), {
    byField: {
      '/frequencyCaps/0/max': 'must be >= 1; must be an integer',
      '/frequencyCaps/1/channel': 'must be one of "push", "sms", "email", "webhook"',
      '/frequencyCaps': 'must not have property "extra"',
    },
    other: ['/surprise must not be there'],
  });
  assert.deepEqual(bodyProblems({ message: 'no' }), []);
  assert.deepEqual(bodyProblems(null), []);
  assert.equal(sentence('must be >= 1'), 'Must be at least 1');
  assert.equal(sentence('must be <= 1000'), 'Must be at most 1000');
  assert.equal(sentence('unknown IANA time zone "Mars/Base"'), 'Unknown IANA time zone "Mars/Base"');
});

test('filters become a query without the empty ones; events page by growing the limit', () => {
  assert.deepEqual(filterQuery({ journeyId: ' cart ', userId: '' }), { journeyId: 'cart' });
  assert.deepEqual(filterQuery({ userId: '   ' }), {});
  assert.equal(nextEventLimit(50, 50, 50, 1000), 100, 'a full page: there may be more');
  assert.equal(nextEventLimit(37, 50, 50, 1000), null, 'fewer than asked: that was all');
  assert.equal(nextEventLimit(980, 980, 50, 1000), 1000, 'never past what the route takes');
  assert.equal(nextEventLimit(1000, 1000, 50, 1000), null);
});

test('pages that overlap keep one of each, and journeys meet their explanations by instance', () => {
  const id = (x: { id: string }) => x.id;
  assert.deepEqual(appendUnique([{ id: 'a' }, { id: 'b' }], [{ id: 'b' }, { id: 'c' }], id), [{ id: 'a' }, { id: 'b' }, { id: 'c' }]);
  const joined = withExplanations([{ id: 'i1' }, { id: 'i2' }], [{ instanceId: 'i2', summary: 'two' }]);
  assert.deepEqual(joined, [
    { instance: { id: 'i1' }, explained: null },
    { instance: { id: 'i2' }, explained: { instanceId: 'i2', summary: 'two' } },
  ]);
});
