/**
 * An email claimed again after a claim that ended unrecorded (claims > attempts + 1: its process died mid-send):
 * without a mark its terminator never went out, so the server never took it, and it is sent; with one
 * (Message.sendingAt) the server may have it, and it is held as a dead letter, in_doubt, never sent twice.
 * The terminator waits for SendOptions.committing; a mark that could not be stored keeps it from going out.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { smtpSender } from '../../src/channels/smtp.ts';
import type { Message } from '../../src/store/store.ts';
import { smtpConfig, smtpServer } from './smtp-server.ts';

const KEYS = { unsubscribe: Buffer.alloc(32, 3), tracking: Buffer.alloc(32, 5) };
const NOW = 1_700_000_000_000;

function email(id: string, over: Partial<Message> = {}): Message {
  return {
    seq: 1, id, journeyId: 'cart', version: 1, instanceId: 'i1', nodeId: 'mail', userId: 'ana', channel: 'email', status: 'pending', reason: null,
    content: { to: `${id}@x.test`, subject: 'Your cart', body: '<p>Still there?</p>' },
    createdAt: 0, sentAt: null, attempts: 0, claims: 1, sendingAt: null, nextAttemptAt: null, provider: null, openedAt: null, clickedAt: null, ...over,
  };
}

test('claimed again with no outcome and no mark: sent, as the server never took it; with a mark: held in doubt, nothing sent', async () => {
  const { mails, connections, port } = await smtpServer();
  const sender = smtpSender(smtpConfig(port), KEYS);
  // Two claims before this one ended with no outcome (3 > 0 + 1).
  const [resent] = await sender.send([email('unmarked', { claims: 3 })], () => NOW);
  assert.deepEqual(resent, { id: 'unmarked', status: 'sent', at: NOW, provider: 'smtp' });
  assert.deepEqual(mails.map((m) => m.to), [['unmarked@x.test']]);
  const [held] = await sender.send([email('marked', { claims: 3, sendingAt: NOW - 60_000 })], () => NOW);
  assert.equal(held?.status, 'dead');
  assert.match(held?.error ?? '', /^in_doubt: /);
  assert.ok((held?.error ?? '').length <= 300);
  assert.deepEqual(mails.map((m) => m.to), [['unmarked@x.test']], 'the server received nothing more');
  assert.equal(connections.length, 1, 'not even a connection for it');
  // A mark left from a claim whose outcome was recorded (claims = attempts + 1) is no doubt: sent.
  const [retried] = await sender.send([email('retried', { claims: 2, attempts: 1, sendingAt: NOW - 60_000 })], () => NOW);
  assert.equal(retried?.status, 'sent');
  sender.close();
});

test('the terminator waits for the mark: the server reads the message, and its DATA ends only once committing resolves', async () => {
  let ended = 0;
  let release!: () => void;
  let headersIn!: () => void;
  const arrived = new Promise<void>((resolve) => (headersIn = resolve));
  const { mails, port } = await smtpServer({ atData: (sofar) => sofar.includes('Subject: Your cart') && headersIn(), atEnd: async () => void ended++ });
  const sender = smtpSender(smtpConfig(port), KEYS);
  let asked = 0;
  const sending = sender.send([email('m1')], () => NOW, {
    committing: (m) => {
      assert.equal(m.id, 'm1');
      asked++;
      return new Promise<void>((resolve) => (release = resolve));
    },
  });
  await arrived; // the server is reading the message's DATA
  assert.deepEqual([asked, ended, mails.length], [1, 0, 0], 'its DATA has not ended while the mark is being stored');
  release();
  const [outcome] = await sending;
  assert.equal(outcome?.status, 'sent');
  assert.deepEqual([ended, mails.length], [1, 1]);
  sender.close();
});

test('a mark that could not be stored: the terminator never goes out, the server has nothing, the message is transient', async () => {
  const { mails, port } = await smtpServer();
  const sender = smtpSender(smtpConfig(port), KEYS);
  const [failed] = await sender.send([email('m1')], () => NOW, { committing: async () => Promise.reject(new Error('database unavailable')) });
  assert.deepEqual(failed, { id: 'm1', status: 'transient', at: NOW, provider: 'smtp', error: 'mark_failed: database unavailable' });
  // The next message goes out on a fresh connection (the one mid-DATA was closed), and the server has only it.
  const [sent] = await sender.send([email('m2')], () => NOW, { committing: async () => {} });
  assert.equal(sent?.status, 'sent');
  assert.deepEqual(mails.map((m) => m.to), [['m2@x.test']]);
  sender.close();
});
