/** mergeByTime: the threads' output files become one, in time order, whatever the year and however long a line. */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { mergeByTime } from '../../src/sim/merge.ts';
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

test('lines longer than a read, characters of several bytes across reads, blank lines and a last line without its newline come out whole', async () => {
  const dir = tempDir();
  const content = (n: number) => ({ body: `${'é€😀'.repeat(n)}"quoted"` });
  const long = (user: string, sentAt: string, n: number) => `{"userId":${JSON.stringify(user)},"channel":"email","nodeId":"n","sentAt":"${sentAt}","journeyId":"j","content":${JSON.stringify(content(n))}}`;
  const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();
  // 3 MB lines (more than one read of a file, and more than one write of the target) among short ones whose
  // sizes are not a multiple of anything, so reads end inside characters of three and four bytes.
  const a = [long('a0', at(0), 7), long('a1', at(2), 300_000), long('a2', at(4), 13), long('a3', at(6), 5_001)];
  const b = [long('b0', at(1), 11), long('b1', at(3), 17), long('b2', at(5), 400_000), long('b3', at(7), 3)];
  writeFileSync(join(dir, 'a'), `${a[0]}\n\n${a[1]}\n${a[2]}\n\n${a[3]}`);
  writeFileSync(join(dir, 'b'), b.join('\n') + '\n\n');
  await mergeByTime([join(dir, 'a'), join(dir, 'b')], join(dir, 'out'), 'sentAt');
  const out = readFileSync(join(dir, 'out'), 'utf8');
  assert.ok(out.endsWith('}\n'));
  const lines = out.slice(0, -1).split('\n');
  assert.deepEqual(lines, [a[0], b[0], a[1], b[1], a[2], b[2], a[3], b[3]]);
  assert.deepEqual(JSON.parse(lines[5]!).content, content(400_000));
});

test('no parts, and parts with no lines, make an empty file', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'a'), '');
  writeFileSync(join(dir, 'b'), '\n\n');
  await mergeByTime([join(dir, 'a'), join(dir, 'b')], join(dir, 'out'), 'sentAt');
  assert.equal(readFileSync(join(dir, 'out'), 'utf8'), '');
  await mergeByTime([], join(dir, 'none'), 'at');
  assert.equal(readFileSync(join(dir, 'none'), 'utf8'), '');
});
