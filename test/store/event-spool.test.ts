import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JourneyEvent } from '../../src/core/instance.ts';
import { EventSpool, type SpoolCursor } from '../../src/store/sqlite/event-spool.ts';

const e = (messageId: string, timestamp: number, userId = 'u1'): JourneyEvent => ({ messageId, userId, name: 'Viewed', timestamp, properties: { id: messageId, nested: { a: [1] } } });

test('the spool gives events back by timestamp, ties in the order they were added, a page at a time; and their users once each', () => {
  const spool = new EventSpool();
  try {
    // Added in arrival order; an import brought older events last.
    spool.add([e('a', 300, 'zoe'), e('b', 100, 'ann'), e('c', 300, 'ann')]);
    spool.add([e('d', 200, 'bob'), e('f', 100, 'zoe')]);
    spool.seal();
    assert.equal(spool.count, 5);
    const pages: string[][] = [];
    let cursor: SpoolCursor = null;
    for (;;) {
      const page = spool.events(cursor, 2);
      if (page.events.length === 0) break;
      pages.push(page.events.map((x) => `${x.messageId}@${x.timestamp}`));
      cursor = page.cursor;
    }
    assert.deepEqual(pages, [['b@100', 'f@100'], ['d@200', 'a@300'], ['c@300']]);
    assert.deepEqual(spool.events(null, 1).events[0], e('b', 100, 'ann'), 'the event as added, properties parsed back');
    assert.equal(spool.userCount(), 3);
    assert.deepEqual([spool.users(null, 2), spool.users('bob', 2), spool.users('zoe', 2)], [['ann', 'bob'], ['zoe'], []]);
    assert.throws(() => spool.add([e('g', 1)]), /sealed/);
  } finally {
    spool.close();
  }
});
