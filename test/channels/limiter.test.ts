/**
 * The per-provider limiter on a virtual clock: start times are computed by hand from the limits, never read
 * from the wall clock.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Limiter, limiterOf, shareLimits, SKIPPED, type LimiterClock } from '../../src/channels/limiter.ts';

/** A clock whose sleeps end in order of their end time, each moving the time to it, once nothing else can run. */
function virtualClock(): LimiterClock & { sleeps: number[] } {
  let time = 0;
  const sleepers: Array<{ until: number; wake: () => void }> = [];
  const sleeps: number[] = [];
  const tick = () =>
    setImmediate(() => {
      sleepers.sort((a, b) => a.until - b.until);
      const next = sleepers.shift();
      if (!next) return;
      time = next.until;
      next.wake();
    });
  return {
    sleeps,
    now: () => time,
    sleep(ms) {
      sleeps.push(ms);
      return new Promise((resolve) => {
        sleepers.push({ until: time + ms, wake: resolve });
        tick();
      });
    },
  };
}

test('a rate of 4 a second: a burst of 4 at once, then one every 250 ms', async () => {
  const clock = virtualClock();
  const limiter = new Limiter({ concurrency: 100, ratePerSecond: 4 }, clock);
  const started: number[] = [];
  await limiter.all([1, 2, 3, 4, 5, 6, 7], async () => started.push(clock.now()));
  assert.deepEqual(started, [0, 0, 0, 0, 250, 500, 750]);
});

test('a quiet spell refills the bucket to one second of burst, no more', async () => {
  const clock = virtualClock();
  const limiter = new Limiter({ concurrency: 100, ratePerSecond: 2 }, clock);
  const started: number[] = [];
  await limiter.all([1, 2, 3], async () => started.push(clock.now())); // 0, 0, then 500
  await clock.sleep(10_000); // ten seconds idle: the bucket holds 2, not 20
  await limiter.all([1, 2, 3, 4], async () => started.push(clock.now()));
  assert.deepEqual(started, [0, 0, 500, 10_500, 10_500, 11_000, 11_500]);
});

test('concurrency and rate together: a slot is held while its request waits for a token', async () => {
  const clock = virtualClock();
  // Two slots, 10 a second (a token every 100 ms, two at first); each request takes 300 ms.
  const limiter = new Limiter({ concurrency: 2, ratePerSecond: 10 }, clock);
  const spans: Array<[number, number]> = [];
  await limiter.all([1, 2, 3, 4, 5], async () => {
    const start = clock.now();
    await clock.sleep(300);
    spans.push([start, clock.now()]);
  });
  // 1 and 2 start at 0 (the burst) and end at 300; 3 and 4 then find 2 tokens (refilled long since, capped
  // at 10) and start at 300, end at 600; 5 starts at 600.
  assert.deepEqual(
    spans.sort((a, b) => a[0] - b[0]),
    [[0, 300], [0, 300], [300, 600], [300, 600], [600, 900]],
  );
});

test('at most `concurrency` run at once, across batches handed over at the same time, first come first served', async () => {
  const limiter = new Limiter({ concurrency: 3 });
  let running = 0;
  let most = 0;
  const order: string[] = [];
  const send = async (id: string) => {
    order.push(id);
    most = Math.max(most, ++running);
    await new Promise((resolve) => setImmediate(resolve));
    running -= 1;
    return id;
  };
  const [a, b] = await Promise.all([limiter.all(['a1', 'a2', 'a3', 'a4'], send), limiter.all(['b1', 'b2'], send)]);
  assert.equal(most, 3);
  assert.deepEqual(order, ['a1', 'a2', 'a3', 'a4', 'b1', 'b2']);
  assert.deepEqual([a.sort(), b.sort()], [['a1', 'a2', 'a3', 'a4'], ['b1', 'b2']]);
});

test('a request its caller refuses at its turn is not run, and gives back its token', async () => {
  const clock = virtualClock();
  const limiter = new Limiter({ concurrency: 1, ratePerSecond: 1 }, clock);
  const ran: string[] = [];
  const results = await limiter.all(['keep', 'drop', 'next'], async (id) => {
    ran.push(`${id}@${clock.now()}`);
    return id;
  }, (id) => id !== 'drop');
  // keep takes the one token at 0; drop waits for the next (1,000) and is refused, so next starts with it at 1,000.
  assert.deepEqual(ran, ['keep@0', 'next@1000']);
  assert.deepEqual(results, ['keep', 'next']);
  assert.equal(await limiter.run(async () => 'x', () => false), SKIPPED);
});

test("a shard's engine thread keeps to its share of a provider's limits: an Nth, rounded up, at least 1", () => {
  shareLimits(1 / 3);
  try {
    assert.deepEqual(limiterOf({ concurrency: 10, ratePerSecond: 2 }, 50).limits, { concurrency: 4, ratePerSecond: 1 });
    assert.deepEqual(limiterOf({}, 50).limits, { concurrency: 17 }, "the channel's default, shared too");
  } finally {
    shareLimits(1);
  }
  assert.deepEqual(limiterOf({ concurrency: 10 }, 50).limits, { concurrency: 10 });
});
