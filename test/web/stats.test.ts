/**
 * The journey numbers' pure helpers: structural sharing of polled answers, the z-test in words, the chart's
 * scale and bars, the cards' extra lines (waiting, skips, backtest), the strip of totals.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { barsOf, bucketLabel, labelled, scaleOf, seriesSummary, yOf, type BucketLike } from '../../web/src/lib/chart.ts';
import { kpisOf } from '../../web/src/lib/figures.ts';
import { toCards, trialCountsOf, type DefinitionLike, type NodeCounts } from '../../web/src/lib/graph.ts';
import { backtestSummary, skipLine, skipTitle, trialStats, truncationNote, waitingLine } from '../../web/src/lib/node-figures.ts';
import { reuse } from '../../web/src/lib/share.ts';
import { formatP, upliftShort, upliftWords, type ConversionLike } from '../../web/src/lib/uplift.ts';

test('reuse: an equal answer keeps its identity, a changed one keeps every unchanged part', () => {
  const old = { totals: { entered: 3, goal: 1 }, nodes: [{ nodeId: 'a', entered: 3, skippedBy: { no_phone: 1 } }, { nodeId: 'b', entered: 1, skippedBy: {} }] };
  const same = JSON.parse(JSON.stringify(old));
  assert.equal(reuse(old, same), old);

  const changed = JSON.parse(JSON.stringify(old));
  changed.nodes[1].entered = 2;
  const merged = reuse(old, changed);
  assert.notEqual(merged, old);
  assert.deepEqual(merged, changed);
  assert.equal(merged.totals, old.totals, 'unchanged totals: the old object');
  assert.equal(merged.nodes[0], old.nodes[0], 'unchanged node: the old object');
  assert.notEqual(merged.nodes[1], old.nodes[1]);
  assert.equal(merged.nodes[1]!.skippedBy, old.nodes[1]!.skippedBy);

  // A key added or removed, an item more or fewer: new objects there.
  const added = { ...same, totals: { ...same.totals, inJourneyNow: 1 } };
  assert.notEqual(reuse(old, added).totals, old.totals);
  assert.equal(reuse(old, added).nodes, old.nodes);
  const fewer = { ...same, nodes: [same.nodes[0]] };
  assert.deepEqual(reuse(old, fewer).nodes, [old.nodes[0]]);
  assert.equal(reuse(old, fewer).nodes[0], old.nodes[0]);
  const removed = { totals: { entered: 3 }, nodes: same.nodes };
  assert.deepEqual(reuse(old, removed).totals, { entered: 3 });
  // Nothing to share with.
  assert.equal(reuse(null, changed), changed);
  assert.equal(reuse({ a: null }, { a: 0 }).a, 0);
  assert.deepEqual(reuse({ a: [1] }, { a: { 0: 1 } }), { a: { 0: 1 } }, 'an array is not an object with the same keys');
});

const conversion = (entered: number, converted: number, users: number, controlConverted: number, significance: ConversionLike['significance']): ConversionLike => ({
  target: { entered, converted, rate: entered ? converted / entered : null },
  control: { users, converted: controlConverted, rate: users ? controlConverted / users : null },
  uplift: entered && users && controlConverted ? (converted / entered - controlConverted / users) / (controlConverted / users) : null,
  significance,
});

test('uplift in words: points, p, and whether it is chance', () => {
  // 120 of 1000 against 79 of 1000: 4.1 points; the server's test says p = 0.003.
  const better = upliftWords(conversion(1000, 120, 1000, 79, { z: 3.0, pValue: 0.002936, significant: true }));
  assert.equal(better.headline, 'Converts 4.1 points better than the control group; p = 0.003: unlikely to be chance');
  assert.equal(better.tone, 'better');
  // (0.12 - 0.079) / 0.079 = 0.519: +52% relative.
  assert.equal(better.detail, 'Journey 12.0% (120 of 1000) · Control group 7.9% (79 of 1000) · +52% relative');

  const unsure = upliftWords(conversion(10, 6, 10, 2, { z: 1.8257, pValue: 0.06789, significant: false }));
  assert.equal(unsure.headline, 'Converts 40.0 points better than the control group; p = 0.068: not enough evidence yet');
  assert.equal(unsure.tone, 'unsure');

  const worse = upliftWords(conversion(200, 10, 200, 30, { z: -3.24, pValue: 0.0012, significant: true }));
  assert.equal(worse.headline, 'Converts 10.0 points worse than the control group; p = 0.001: unlikely to be chance');
  assert.equal(worse.tone, 'worse');

  const same = upliftWords(conversion(50, 5, 50, 5, { z: 0, pValue: 1, significant: false }));
  assert.equal(same.headline, 'Converts as well as the control group; p = 1.00: not enough evidence yet');
  assert.equal(same.detail, 'Journey 10.0% (5 of 50) · Control group 10.0% (5 of 50) · 0% relative');

  assert.equal(upliftWords(conversion(10, 0, 10, 0, null)).headline, 'Converts as well as the control group; no test possible while nobody has converted yet');
  assert.equal(upliftWords(conversion(4, 4, 2, 2, null)).headline, 'Converts as well as the control group; no test possible while everybody converted');
  const none = upliftWords(conversion(10, 3, 0, 0, null));
  assert.equal(none.tone, 'none');
  assert.match(none.headline, /^No control group yet/);
  assert.equal(none.detail, 'Journey 30.0% (3 of 10) · Control group — (0 of 0)');
  assert.match(upliftWords(conversion(0, 0, 3, 1, null)).headline, /^Nobody has entered/);
});

test('p-values read with as many digits as they need, never against the verdict', () => {
  assert.equal(formatP(0.0004, true), 'p < 0.001');
  assert.equal(formatP(0.00293, true), 'p = 0.003');
  assert.equal(formatP(0.0246, true), 'p = 0.025');
  assert.equal(formatP(0.04996, true), 'p < 0.05', 'rounds to 0.050 but was judged below 0.05');
  assert.equal(formatP(0.05004, false), 'p = 0.050');
  assert.equal(formatP(0.31, false), 'p = 0.31');
});

test('the strip’s comparison: signed points and the verdict, nothing without a control group', () => {
  assert.deepEqual(upliftShort(conversion(10, 7, 10, 2, { z: 2.2473, pValue: 0.02462, significant: true })), { value: '+50.0 pts', verdict: 'unlikely to be chance', tone: 'better' });
  assert.deepEqual(upliftShort(conversion(200, 10, 200, 30, { z: -3.24, pValue: 0.0012, significant: true })), { value: '−10.0 pts', verdict: 'unlikely to be chance', tone: 'worse' });
  assert.deepEqual(upliftShort(conversion(10, 0, 10, 0, null)), { value: '±0.0 pts', verdict: 'no test possible yet', tone: 'unsure' });
  assert.equal(upliftShort(conversion(10, 3, 0, 0, null)), null);
  assert.deepEqual(upliftShort(conversion(0, 0, 5, 1, null)), { value: '—', verdict: 'nobody entered yet', tone: 'none' });
});

test('the chart’s scale: about four whole steps up to the largest count', () => {
  assert.deepEqual(scaleOf(0), { top: 1, step: 1, ticks: [0, 1] });
  assert.deepEqual(scaleOf(3), { top: 3, step: 1, ticks: [0, 1, 2, 3] });
  assert.deepEqual(scaleOf(7), { top: 8, step: 2, ticks: [0, 2, 4, 6, 8] });
  assert.deepEqual(scaleOf(10), { top: 10, step: 5, ticks: [0, 5, 10] });
  assert.deepEqual(scaleOf(37), { top: 40, step: 10, ticks: [0, 10, 20, 30, 40] });
  assert.deepEqual(scaleOf(1234), { top: 1500, step: 500, ticks: [0, 500, 1000, 1500] });
});

const day = (start: string, entered: number, goal: number, control = 0, controlGoal = 0): BucketLike => ({ start, entered, goal, control, controlGoal });

test('bars: each bucket a pair, heights in proportion, on the baseline', () => {
  const frame = { width: 240, height: 120, left: 40, bottom: 20, top: 0 };
  const scale = scaleOf(10);
  // Plot 200 wide, 100 high; two buckets of 100 each, centres at 90 and 190; bars 18 wide (34 capped at 18).
  const bars = barsOf([day('2025-03-01T00:00:00+01:00', 10, 5), day('2025-03-02T00:00:00+01:00', 0, 2)], scale, frame);
  assert.deepEqual(bars, [
    { x: 71, barWidth: 18, centre: 90, entered: { y: 0, height: 100 }, goal: { y: 50, height: 50 } },
    { x: 171, barWidth: 18, centre: 190, entered: { y: 100, height: 0 }, goal: { y: 80, height: 20 } },
  ]);
  assert.equal(yOf(5, scale, frame), 50);
  assert.deepEqual(barsOf([], scale, frame), []);
});

test('bucket labels come from the zone’s own date, not the browser’s', () => {
  assert.equal(bucketLabel('2025-03-01T00:00:00.000+13:00', 'day'), 'Mar 1');
  assert.equal(bucketLabel('2024-12-31T00:00:00.000-08:00', 'day'), 'Dec 31');
  assert.equal(bucketLabel('2025-03-30T02:00:00.000+02:00', 'hour'), '02:00');
  assert.equal(bucketLabel('not a date', 'day'), 'not a date');
  assert.deepEqual([...labelled(5)].sort((a, b) => a - b), [0, 1, 2, 3, 4]);
  assert.deepEqual([...labelled(14)].sort((a, b) => a - b), [1, 3, 5, 7, 9, 11, 13], 'every other one, the newest always');
  assert.deepEqual([...labelled(90)].length, 8);
});

test('the chart in a sentence', () => {
  const buckets = [day('2025-03-01T00:00:00Z', 4, 1), day('2025-03-02T00:00:00Z', 9, 2, 3, 1), day('2025-03-03T00:00:00Z', 9, 0)];
  assert.equal(seriesSummary(buckets, 'day'), 'Last 3 days: 22 entered, 3 converted. Control group: 3 held out, 1 converted. Most entries on Mar 2 (9).');
  assert.equal(seriesSummary([day('2025-03-01T00:00:00Z', 0, 0)], 'day'), 'Last day: 0 entered, 0 converted. Nobody entered in this period.');
  assert.equal(seriesSummary([day('2025-03-01T09:00:00Z', 2, 0), day('2025-03-01T10:00:00Z', 1, 1)], 'hour'), 'Last 2 hours: 3 entered, 1 converted. Most entries at 09:00 (2).');
});

test('card lines: waiting now, skips by reason (most first), their sentences for the tooltip', () => {
  assert.equal(waitingLine(3), '3 waiting now');
  assert.equal(waitingLine(1204), '1,204 waiting now');
  assert.equal(waitingLine(0), null);
  assert.equal(waitingLine(undefined), null);
  assert.equal(skipLine(0, {}), null);
  assert.equal(skipLine(5, { dnd: 1, no_phone: 4 }), 'Skipped: 4 no phone, 1 quiet hours');
  assert.equal(skipLine(4, { frequency_cap: 2, no_email: 2 }), 'Skipped: 2 frequency cap, 2 no email', 'ties by name');
  // Skips counted before reasons were, and a reason this version does not know.
  assert.equal(skipLine(7, { no_push_token: 3, new_reason: 1 }), 'Skipped: 3 no push token, 1 new reason, 3 other');
  assert.equal(skipLine(2, undefined), 'Skipped: 2 other');
  assert.equal(skipTitle(5, { dnd: 1, no_phone: 4 }), '4 × Missing address: the profile has no phone\n1 × Do-not-disturb hours: skipped rather than deferred');
  assert.equal(skipTitle(2, {}), '2 × Skipped before reasons were counted');
});

test('backtest figures: entered, sent where the kind sends, converted and held out when any', () => {
  const send = ['entered', 'sent', 'failed', 'skipped', 'goal'];
  assert.deepEqual(trialStats(send, { entered: 10, sent: 6, goal: 0 }), [
    { label: 'entered', value: 10 },
    { label: 'sent', value: 6 },
  ]);
  assert.deepEqual(trialStats(['entered', 'missed', 'goal'], { entered: 10, sent: 0, goal: 7 }), [
    { label: 'entered', value: 10 },
    { label: 'converted', value: 7 },
  ]);
  assert.deepEqual(trialStats([], { entered: 10, control: 10 }), [
    { label: 'entered', value: 10 },
    { label: 'held out', value: 10 },
  ]);
  assert.deepEqual(trialStats(send, undefined), []);

  const result = { events: 29, users: 20, truncated: false, maxEvents: 1_000_000, stats: { totals: { entered: 10, goal: 7, control: 10 }, nodes: [{ sent: 6 }, { sent: 0 }, { sent: 2 }] } };
  assert.deepEqual(backtestSummary(result), [
    { label: 'events replayed', value: 29 },
    { label: 'users', value: 20 },
    { label: 'would have entered', value: 10 },
    { label: 'held out', value: 10 },
    { label: 'messages sent', value: 8 },
    { label: 'converted', value: 7 },
  ]);
  assert.equal(backtestSummary({ ...result, stats: { ...result.stats, totals: { entered: 1, goal: 0, control: 0 } } }).some((f) => f.label === 'held out'), false);
  assert.equal(truncationNote(result), null);
  assert.equal(truncationNote({ truncated: true, maxEvents: 1_000_000 }), 'Only the first 1,000,000 events of the period were replayed; the figures leave out the rest.');
});

const journey: DefinitionLike = {
  name: 'Trial',
  nodes: [
    { id: 'in', kind: 'entry', trigger: { type: 'action', event: 'Started Trial' } },
    { id: 'sms', kind: 'send', channel: 'sms', message: { body: 'Hi' } },
    { id: 'wait', kind: 'delay', duration: '1d' },
    { id: 'new', kind: 'exit' },
  ],
  edges: [
    { from: 'in', to: 'sms' },
    { from: 'sms', to: 'wait' },
    { from: 'wait', to: 'new' },
  ],
};

test('cards carry the live lines and, with a backtest, its figures; a node the backtest never saw reads zero', () => {
  const counts: NodeCounts[] = [
    { nodeId: 'sms', entered: 10, sent: 6, failed: 0, skipped: 4, missed: 0, goal: 0, waiting: 0, skippedBy: { no_phone: 4 } },
    { nodeId: 'wait', entered: 10, sent: 0, failed: 0, skipped: 0, missed: 0, goal: 6, waiting: 4, skippedBy: {} },
  ];
  const live = toCards(journey, null, counts);
  assert.deepEqual(
    live.map((c) => [c.id, c.waiting, c.skips, c.trial]),
    [
      ['in', null, null, null],
      ['sms', null, 'Skipped: 4 no phone', null],
      ['wait', '4 waiting now', null, null],
      ['new', null, null, null],
    ],
  );
  const backtest = {
    totals: { entered: 10, control: 10 },
    nodes: [
      { nodeId: 'sms', kind: 'send', entered: 10, sent: 6, goal: 0 },
      { nodeId: 'wait', kind: 'delay', entered: 10, sent: 0, goal: 7 },
    ],
  };
  const trials = trialCountsOf(backtest, journey);
  assert.deepEqual(trials.get('in'), { entered: 10, control: 10 }, 'the entry’s from the totals');
  const overlaid = toCards(journey, null, counts, trials);
  assert.deepEqual(
    overlaid.map((c) => [c.id, c.trial?.map((s) => `${s.value} ${s.label}`)]),
    [
      ['in', ['10 entered', '10 held out']],
      ['sms', ['10 entered', '6 sent']],
      ['wait', ['10 entered', '7 converted']],
      ['new', ['0 entered']],
    ],
  );
});

test('the strip: every total in order, “did not qualify”, “stopped” and “merged” only when they happened', () => {
  const totals = { qualified: 20, entered: 10, control: 10, notQualified: 0, goal: 6, timedOut: 1, completed: 2, stopped: 0, merged: 0, inJourneyNow: 1204 };
  assert.deepEqual(
    kpisOf(totals, 0.6).map((k) => `${k.label}: ${k.value}`),
    ['Qualified: 20', 'Entered: 10', 'Control group: 10', 'In journey now: 1,204', 'Goal met: 6', 'Conversion rate: 60.0%', 'Timed out: 1', 'Completed: 2'],
  );
  const labels = kpisOf({ ...totals, notQualified: 3, stopped: 2 }, null).map((k) => `${k.label}: ${k.value}`);
  assert.deepEqual(labels.slice(0, 2), ['Qualified: 20', 'Did not qualify: 3']);
  assert.equal(labels.at(-1), 'Stopped: 2');
  assert.ok(labels.includes('Conversion rate: —'));
  assert.deepEqual(kpisOf({ ...totals, stopped: 2, merged: 1 }, null).slice(-2).map((k) => `${k.label}: ${k.value}`), ['Stopped: 2', 'Merged: 1']);
});
