/**
 * MessageOutput: simulate's output files written as the run hands its messages over. Sent messages come out in
 * sentAt order, ties in the order decided, however far back a send goes and however many runs of the file
 * that makes; skipped ones in the order decided; a run that does not finish leaves nothing.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { IsoTimes, MessageOutput } from '../../src/sim/output.ts';
import type { NewMessage } from '../../src/store/store.ts';
import { tempDir } from '../helpers.ts';

const T0 = Date.UTC(2026, 0, 1);

const message = (n: number, status: NewMessage['status'], at: number, channel: NewMessage['channel'] = 'push'): NewMessage => ({
  id: `i${n}:push:1`,
  journeyId: 'cart',
  version: 1,
  instanceId: `i${n}`,
  nodeId: 'push',
  userId: `u${n}`,
  channel,
  status,
  reason: status === 'skipped' ? 'no_push_token' : status === 'failed' ? 'render_failed: boom' : null,
  content: status === 'sent' ? { body: `hi u${n}`, title: '"quoted" é' } : null,
  createdAt: at,
  sentAt: status === 'sent' ? at : null,
});

const lines = (file: string) => readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);

test('sent messages come out in time order, ties in the order decided, across more runs than are merged at once', async () => {
  const dir = tempDir();
  const files = { messages: join(dir, 'messages.ndjson'), skipped: join(dir, 'skipped.ndjson') };
  const output = new MessageOutput(files);
  // 100 units, each going back in time from the one before (100 runs of the file, so more than one round of
  // merging), each with a send at a time every unit shares (ties across runs) and one of its own.
  const decided: NewMessage[] = [];
  let n = 0;
  for (let unit = 0; unit < 100; unit++) {
    const own = T0 + (100 - unit) * 1_000 + 500;
    const messages = [message(n++, 'sent', T0 + 50_000, unit % 2 === 0 ? 'push' : 'email'), message(n++, 'sent', own, 'sms'), message(n++, 'skipped', own), message(n++, 'failed', own)];
    decided.push(...messages);
    output.take(messages);
  }
  const written = await output.finish();

  const sent = decided.map((m, i) => ({ m, i })).filter(({ m }) => m.status === 'sent');
  const expected = sent.sort((a, b) => a.m.sentAt! - b.m.sentAt! || a.i - b.i).map(({ m }) => m.userId);
  const got = lines(files.messages);
  assert.deepEqual(got.map((l) => l.userId), expected);
  assert.deepEqual(got[0], { userId: 'u397', channel: 'sms', nodeId: 'push', sentAt: '2026-01-01T00:00:01.500Z', journeyId: 'cart', content: { body: 'hi u397', title: '"quoted" é' } }, 'the last unit’s own send is the earliest');
  assert.deepEqual(lines(files.skipped).map((l) => l.userId), decided.filter((m) => m.status === 'skipped').map((m) => m.userId), 'skipped in the order decided');
  assert.deepEqual(lines(files.skipped)[0], { userId: 'u2', channel: 'push', nodeId: 'push', at: '2026-01-01T00:01:40.500Z', reason: 'no_push_token' });
  assert.deepEqual(written, { sent: { email: 50, push: 50, sms: 100 }, skipped: 100, failed: 100 });
  assert.deepEqual(readdirSync(dir).sort(), ['messages.ndjson', 'skipped.ndjson'], 'no run or partial file is left');
});

test('sends in time order make one run: the file is written as they come', async () => {
  const dir = tempDir();
  const files = { messages: join(dir, 'messages.ndjson'), skipped: join(dir, 'skipped.ndjson') };
  const output = new MessageOutput(files);
  output.take([message(1, 'sent', T0), message(2, 'sent', T0)]);
  output.take([message(3, 'sent', T0 + 1)]);
  assert.deepEqual(readdirSync(dir).sort(), ['messages.ndjson.run-0', 'skipped.ndjson.partial']);
  await output.finish();
  assert.deepEqual(lines(files.messages).map((l) => l.userId), ['u1', 'u2', 'u3']);
  assert.equal(readFileSync(files.skipped, 'utf8'), '');
});

test('a run that does not finish leaves nothing behind, and an earlier run’s files as they were', async () => {
  const dir = tempDir();
  const files = { messages: join(dir, 'messages.ndjson'), skipped: join(dir, 'skipped.ndjson') };
  const first = new MessageOutput(files);
  first.take([message(1, 'sent', T0)]);
  await first.finish();
  const output = new MessageOutput(files);
  output.take([message(2, 'sent', T0 + 10), message(3, 'sent', T0), message(4, 'skipped', T0)]);
  output.discard();
  assert.deepEqual(readdirSync(dir).sort(), ['messages.ndjson', 'skipped.ndjson']);
  assert.deepEqual(lines(files.messages).map((l) => l.userId), ['u1']);
});

test('lines of any length and characters of several bytes, across the writes of the buffer, come out whole', async () => {
  const dir = tempDir();
  const files = { messages: join(dir, 'messages.ndjson'), skipped: join(dir, 'skipped.ndjson') };
  const output = new MessageOutput(files);
  // 3,000 sends of about 700 bytes (2 MB: the 1 MB buffer is written twice), with 'é' and '𝄞' (2 and 4 bytes)
  // everywhere; among them lines longer than the buffer itself, of which one has only characters of 3 bytes.
  const bodies: string[] = [];
  for (let n = 0; n < 3_000; n++) {
    const body = n === 1_000 ? '€'.repeat(400_000) : n === 2_000 ? 'x'.repeat(1_100_000) : `${'é𝄞'.repeat(n % 7)}${'a'.repeat(300 + (n % 13))}é`;
    bodies.push(body);
    output.take([{ ...message(n, 'sent', T0 + n), content: { body } }]);
  }
  await output.finish();
  const text = readFileSync(files.messages, 'utf8');
  assert.ok(!text.includes('\ufffd'), 'no character was cut between two writes');
  assert.deepEqual(lines(files.messages).map((l) => (l.content as { body: string }).body), bodies);
});

test('times are written as toISOString writes them, in any order, in any year it can write', () => {
  const times = new IsoTimes();
  const checked: number[] = [];
  // Forwards a millisecond at a time over minute, hour, day and year boundaries; then back; then anywhere.
  for (const edge of [Date.UTC(2026, 11, 31, 23, 59, 59, 990), 0, Date.UTC(0, 0, 1), Date.UTC(-1, 11, 31, 23, 59, 59, 990), Date.UTC(9999, 11, 31, 23, 59, 59, 990)]) {
    for (let ms = edge - 20; ms <= edge + 20; ms++) checked.push(ms);
  }
  for (let ms = Date.UTC(2026, 0, 1, 0, 2); ms > Date.UTC(2026, 0, 1) - 5_000; ms -= 997) checked.push(ms);
  let seed = 7;
  for (let i = 0; i < 20_000; i++) {
    seed = (seed * 48_271) % 2_147_483_647;
    checked.push(Math.round((seed / 2_147_483_647 - 0.5) * 2 * 8.64e15));
  }
  checked.push(8.64e15, -8.64e15, Date.UTC(10_000, 0, 1), Date.UTC(-10_000, 0, 1) - 1);
  for (const ms of checked) assert.equal(times.iso(ms), new Date(ms).toISOString(), String(ms));
});
