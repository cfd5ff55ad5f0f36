/**
 * Senders built from the provider settings in the store: a channel without settings delivers in the store;
 * a change is seen at the next reading (a stale reading is refreshed in the background, the dispatcher
 * waits for a fresh one); messages queued for a provider since removed end as the outbox would record them.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { channelSenders, rereadProviders } from '../../src/channels/senders.ts';
import { CHANNEL_NAMES } from '../../src/core/channels.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import type { Message } from '../../src/store/store.ts';
import { tempDir } from '../helpers.ts';

const SECRET = `whsec_${Buffer.alloc(32, 1).toString('base64')}`;

test('no settings: every channel delivers in the store; settings saved are seen at the next reading; removed, the outbox takes over', async () => {
  const store = new SqliteStore(join(tempDir(), 'senders.db'));
  after(() => store.close());
  const senders = await channelSenders(store, { cacheMs: 60_000 });
  assert.deepEqual(CHANNEL_NAMES.map((c) => senders[c].deliversInStore), [true, true, true, true, true, true]);

  await store.saveProvider('webhook', { provider: 'webhook', secret: SECRET }, 1);
  assert.equal(senders.webhook.deliversInStore, true, 'a reading a minute fresh is kept');
  await rereadProviders(senders);
  assert.deepEqual(CHANNEL_NAMES.map((c) => [c, senders[c].deliversInStore]), [['push', true], ['sms', true], ['email', true], ['whatsapp', true], ['inbox', true], ['webhook', false]]);

  await store.removeProvider('webhook');
  await rereadProviders(senders);
  const queued = { id: 'm1', userId: 'u1', channel: 'webhook', content: { url: 'https://x.test/', body: '{}' } } as Message;
  assert.deepEqual(await senders.webhook.send([queued], () => 42), [{ id: 'm1', status: 'sent', at: 42, provider: 'outbox' }]);
});

test('a stale reading answers at once and is refreshed in the background', async () => {
  const store = new SqliteStore(join(tempDir(), 'senders.db'));
  after(() => store.close());
  const senders = await channelSenders(store, { cacheMs: 0 });
  await store.saveProvider('webhook', { provider: 'webhook', secret: SECRET }, 1);
  assert.equal(senders.webhook.deliversInStore, true, 'the reading it has, while it reads again');
  await rereadProviders(senders); // joins the read under way (or starts one)
  assert.equal(senders.webhook.deliversInStore, false);
});
