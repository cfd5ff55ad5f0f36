import assert from 'node:assert/strict';
import { test } from 'node:test';
import { figuresOf } from '../../web/src/lib/figures.ts';
import { actionsFor, copyId, formatAgo, formatCount, formatDuration, formatRate } from '../../web/src/lib/format.ts';

test('counts, rates and durations read as people write them', () => {
  assert.equal(formatCount(1234567), '1,234,567');
  assert.equal(formatCount(null), '—');
  assert.equal(formatRate(0.5), '50.0%');
  assert.equal(formatRate(0.12345), '12.3%');
  assert.equal(formatRate(1 / 3), '33.3%');
  assert.equal(formatRate(0), '0.0%');
  assert.equal(formatRate(null), '—', 'no one entered: no rate, not 0%');
  assert.equal(formatDuration('2m'), '2 minutes');
  assert.equal(formatDuration('1d'), '1 day');
  assert.equal(formatDuration('500ms'), '500 milliseconds');
  assert.equal(formatDuration('soon'), 'soon');
  const now = Date.UTC(2026, 11, 3, 12);
  assert.equal(formatAgo(now - 30_000, now), 'just now');
  assert.equal(formatAgo(now - 5 * 60_000, now), '5 min ago');
  assert.equal(formatAgo(now - 3 * 3_600_000, now), '3 h ago');
  assert.equal(formatAgo(now - 86_400_000, now), '1 day ago');
  assert.equal(formatAgo(now - 40 * 86_400_000, now), '2026-10-24');
});

test('each status offers the lifecycle actions the API allows from it', () => {
  assert.deepEqual(actionsFor('draft'), ['publish']);
  assert.deepEqual(actionsFor('running'), ['pause', 'stop']);
  assert.deepEqual(actionsFor('scheduled'), ['pause', 'stop']);
  assert.deepEqual(actionsFor('paused'), ['resume', 'stop']);
  assert.deepEqual(actionsFor('completed'), ['stop']);
  assert.deepEqual(actionsFor('stopped'), []);
});

test('copies get ids that stay valid journey ids', () => {
  assert.equal(copyId('welcome', 1), 'welcome-copy');
  assert.equal(copyId('welcome', 2), 'welcome-copy-2');
  const long = `a${'-b'.repeat(31)}`; // 63 characters
  assert.equal(copyId(long, 1), `a${'-b'.repeat(28)}-copy`, 'cut to 58, the dangling dash dropped');
  assert.ok(copyId(long, 12).length <= 63);
  assert.match(copyId(long, 12), /^[a-z0-9][a-z0-9-]{0,62}$/);
});

test('headline figures from the stats; the control rate only with a control group', () => {
  const stats = {
    totals: { entered: 90, control: 10, goal: 27 },
    conversion: { target: { converted: 27, rate: 0.3 }, control: { rate: 0.1 }, uplift: 2 },
  };
  assert.deepEqual(figuresOf(stats), { entered: 90, inJourney: null, converted: 27, rate: 0.3, controlRate: 0.1, uplift: 2 });
  assert.equal(figuresOf({ ...stats, totals: { ...stats.totals, inJourneyNow: 41 } }).inJourney, 41);
  assert.equal(figuresOf({ ...stats, totals: { ...stats.totals, inJourneyNow: 0 } }).inJourney, 0);
  assert.equal(figuresOf({ ...stats, totals: { ...stats.totals, control: 0 } }).controlRate, null);
  assert.equal(figuresOf(null).entered, null);
});
