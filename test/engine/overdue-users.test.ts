import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Instance } from '../../src/core/instance.ts';
import { OverdueUsers } from '../../src/engine/overdue-users.ts';

/** Only the fields OverdueUsers reads. */
const timer = (wakeAt: number | null, wakeNotBefore?: number): Instance => ({ wakeAt, ...(wakeNotBefore === undefined ? {} : { wakeNotBefore }) }) as Instance;

test('overdue users: the ones due before an event, but its own user, in the order they became overdue', () => {
  const live = new Map<string, Instance[]>();
  const users = new OverdueUsers((u) => live.get(u) ?? []);
  const set = (u: string, instances: Instance[]) => {
    live.set(u, instances);
    users.update(u, instances);
  };
  set('c', [timer(30, 100)]);
  set('a', [timer(10, 100), timer(500)]);
  set('b', [timer(20, 100)]);
  set('d', [timer(400)]); // a timer not overdue: not counted
  assert.equal(users.size, 3);
  assert.deepEqual(users.dueBefore(25, 'x'), ['a', 'b'], 'c (due 30) is not yet; order of arrival, not of due time');
  set('a', [timer(500)]); // a fired
  set('b', [timer(20, 100)]); // b did not (still overdue, keeps its place)
  assert.deepEqual(users.dueBefore(1_000, 'b'), ['c'], 'b is the event\'s own user');
  assert.deepEqual(users.dueBefore(1_000, 'x'), ['c', 'b'], 'c became overdue before b');
  set('c', []);
  set('b', []);
  assert.equal(users.size, 0);
  assert.deepEqual(users.dueBefore(1_000, 'x'), []);
  set('b', [timer(5, 100)]); // overdue again: a new place, after the others
  set('e', [timer(6, 100)]);
  set('f', [timer(1, 100)]);
  set('e', [timer(2, 100)]); // an earlier overdue timer for e: still its first place
  assert.deepEqual(users.dueBefore(5, 'x'), ['e', 'f']);
});

test('overdue users: the same answers as asking every overdue user at every event, over random batches', () => {
  let seed = 7;
  const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648);
  for (let round = 0; round < 200; round++) {
    const live = new Map<string, Instance[]>();
    const users = new OverdueUsers((u) => live.get(u) ?? []);
    // The reference: a Set in order of arrival, each member asked at each event, as decide.ts did before.
    const reference = new Set<string>();
    const overdueBefore = (u: string, t: number) => (live.get(u) ?? []).some((i) => i.wakeNotBefore !== undefined && i.wakeAt !== null && i.wakeAt < i.wakeNotBefore && i.wakeAt < t);
    const anyOverdue = (u: string) => overdueBefore(u, Infinity);
    const set = (u: string, instances: Instance[]) => {
      live.set(u, instances);
      users.update(u, instances);
      if (anyOverdue(u)) reference.add(u);
      else reference.delete(u);
    };
    const someTimers = () =>
      Array.from({ length: Math.floor(random() * 3) }, () => (random() < 0.6 ? timer(Math.floor(random() * 100), 100) : timer(random() < 0.5 ? null : Math.floor(random() * 200))));
    for (let step = 0; step < 60; step++) {
      const user = `u${Math.floor(random() * 12)}`;
      if (random() < 0.5) {
        set(user, someTimers());
        continue;
      }
      const at = Math.floor(random() * 120);
      const expected = [...reference].filter((u) => u !== user && overdueBefore(u, at));
      const got = users.dueBefore(at, user);
      assert.deepEqual(got, expected, `round ${round}, step ${step}`);
      // The caller fires what was due: each loses its timers due before `at` (some keep later ones).
      for (const u of got) set(u, (live.get(u) ?? []).filter((i) => i.wakeAt === null || i.wakeAt >= at));
    }
  }
});
