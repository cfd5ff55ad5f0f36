/** mergeByTime: the threads' output files become one, in time order, whatever the year. */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { mergeByTime } from '../../src/sim/output.ts';
import { tempDir } from '../helpers.ts';

const line = (user: string, sentAt: string) => `{"userId":${JSON.stringify(user)},"channel":"email","nodeId":"n","sentAt":"${sentAt}","journeyId":"j","content":null}`;

test('lines come out in time order, the earlier file first on equal times, across years of any width', async () => {
  const dir = tempDir();
  // Years before 1000 and after 9999 are where text order and time order part: "-000001" sorts after
  // "+010000" as text, and both a sign and six digits against four.
  const a = [line('a1', '-000001-01-01T00:00:00.000Z'), line('a2', '2026-01-01T00:00:00.000Z'), line('a"3', '2026-01-01T00:00:01.000Z'), line('a4', '+010000-01-01T00:00:00.000Z')];
  const b = [line('b1', '0999-12-31T23:59:59.999Z'), line('b2', '2026-01-01T00:00:00.000Z'), line('b3', '9999-12-31T23:59:59.999Z'), line('b4', '+010000-01-01T00:00:00.001Z')];
  writeFileSync(join(dir, 'a'), a.join('\n') + '\n');
  writeFileSync(join(dir, 'b'), b.join('\n') + '\n');
  await mergeByTime([join(dir, 'a'), join(dir, 'b')], join(dir, 'out'), 'sentAt');
  const users = readFileSync(join(dir, 'out'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).userId);
  assert.deepEqual(users, ['a1', 'b1', 'a2', 'b2', 'a"3', 'b3', 'a4', 'b4']);
});

test('a file read in many chunks merges as one read whole', async () => {
  const dir = tempDir();
  const times = (offset: number) => Array.from({ length: 30_000 }, (_, i) => new Date(Date.UTC(2026, 0, 1) + i * 1000 + offset).toISOString());
  writeFileSync(join(dir, 'a'), times(0).map((t, i) => line(`a${i}`, t)).join('\n') + '\n');
  writeFileSync(join(dir, 'b'), times(500).map((t, i) => line(`b${i}`, t)).join('\n') + '\n');
  await mergeByTime([join(dir, 'a'), join(dir, 'b')], join(dir, 'out'), 'sentAt');
  const users = readFileSync(join(dir, 'out'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).userId);
  assert.equal(users.length, 60_000);
  assert.deepEqual(users.slice(0, 4), ['a0', 'b0', 'a1', 'b1']);
  assert.deepEqual(users.slice(-2), ['a29999', 'b29999']);
  for (let i = 0; i < users.length; i++) assert.equal(users[i], `${i % 2 === 0 ? 'a' : 'b'}${Math.floor(i / 2)}`);
});
