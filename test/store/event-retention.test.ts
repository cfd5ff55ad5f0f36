/**
 * Event retention as the engine runs it (what `waymark serve --event-retention` sets): about once an hour of
 * the engine's clock, only in processes that run background work, events older than the retention go.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { openWaymark } from '../../src/app/waymark.ts';
import { VirtualClock } from '../../src/core/clock.ts';
import { T0, tempDir } from '../helpers.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

async function virtualApp(background: boolean) {
  const clock = new VirtualClock(T0);
  const waymark = await openWaymark({ database: join(tempDir(), 'retention.db'), clock, realtime: false, background });
  const send = (messageId: string) => waymark.engine.ingestNow([{ messageId, userId: 'u1', name: 'Added to Cart', timestamp: clock.now(), properties: {} }]);
  const stored = async () => (await waymark.store.userEvents('u1', 100)).map((e) => e.messageId).sort();
  return { clock, waymark, send, stored };
}

test('with a retention, the engine prunes at once, then about once an hour of its clock', async () => {
  const { clock, waymark, send, stored } = await virtualApp(true);
  try {
    assert.equal(await waymark.engine.pruneEventsIfDue(), null, 'no retention: events are kept for ever');
    waymark.engine.setEventRetention(DAY);
    await send('first');
    assert.deepEqual(await waymark.engine.pruneEventsIfDue(), { events: 0, before: T0 - DAY }, 'the first call runs at once');
    clock.advance(30 * 60_000);
    assert.equal(await waymark.engine.pruneEventsIfDue(), null, 'not again within the hour');
    clock.advance(DAY + 90 * 60_000);
    await send('second');
    assert.deepEqual(await stored(), ['first', 'second']);
    assert.deepEqual(await waymark.engine.pruneEventsIfDue(), { events: 1, before: T0 + 2 * HOUR });
    assert.deepEqual(await stored(), ['second']);
    assert.equal(await waymark.engine.pruneEventsIfDue(), null);
    assert.deepEqual(await waymark.engine.ingestNow([{ messageId: 'first', userId: 'u1', name: 'Added to Cart', timestamp: clock.now(), properties: {} }]).then((r) => r.accepted), 1, 'a pruned messageId is new again');
  } finally {
    await waymark.close();
  }
});

test('an API-only process never prunes', async () => {
  const { clock, waymark, send, stored } = await virtualApp(false);
  try {
    waymark.engine.setEventRetention(DAY);
    await send('kept');
    clock.advance(10 * DAY);
    assert.equal(await waymark.engine.pruneEventsIfDue(), null);
    assert.deepEqual(await stored(), ['kept']);
  } finally {
    await waymark.close();
  }
});
