/**
 * MessageOutput: simulate's output files written as the run hands its messages over. Sent messages come out in
 * sentAt order, ties in the order decided, however far back a send goes and however many runs of the file
 * that makes; skipped ones in the order decided; a run that does not finish leaves nothing.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { MessageOutput } from '../../src/sim/output.ts';
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
