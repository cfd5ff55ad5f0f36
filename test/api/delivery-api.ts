/**
 * A server for the delivery tests: the engine on a virtual clock with senders built from the provider settings
 * in the store (as `waymark serve` has them), on either store, and a JSON client for its API. `reread` makes
 * the senders read the settings at once, as a running process does within a second of a change.
 */
import { join } from 'node:path';
import { after } from 'node:test';
import { ensureApiKeys } from '../../src/api/keys.ts';
import { buildServer } from '../../src/api/server.ts';
import { openWaymark } from '../../src/app/waymark.ts';
import { channelSenders, rereadProviders } from '../../src/channels/senders.ts';
import { VirtualClock } from '../../src/core/clock.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import type { Store } from '../../src/store/store.ts';
import { T0, tempDir, type StoreKind } from '../helpers.ts';
import { openTestStore } from '../store/postgres-fixture.ts';

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  /** The JSON answer, or the text when it is not an object. */
  body: any;
}

/** `random`: the retry backoff's jitter, fixed where a test needs one schedule on every run. */
export async function startDeliveryApi(kind: StoreKind, file: string, options: { random?: () => number } = {}) {
  const store: Store = kind === 'postgres' ? await openTestStore() : new SqliteStore(join(tempDir(), file));
  const clock = new VirtualClock(T0);
  const channels = await channelSenders(store);
  const waymark = await openWaymark({ database: store, clock, realtime: false, channels, ...(options.random ? { engine: { random: options.random } } : {}) });
  const keys = await ensureApiKeys(waymark.store);
  const server = await buildServer(waymark);
  const url = await server.listen({ port: 0, host: '127.0.0.1' });
  after(async () => {
    await server.close();
    await waymark.close();
  });
  /** A JSON request with the admin key (another key, or null for none); redirects are answers, not followed. */
  const call = async (method: string, p: string, body?: unknown, key: string | null = keys.admin!): Promise<Answer> => {
    const headers: Record<string, string> = {};
    if (key) headers.authorization = `Bearer ${key}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${url}${p}`, { method, headers, redirect: 'manual', ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    const text = await response.text();
    return { status: response.status, headers: response.headers, text, body: text.startsWith('{') ? JSON.parse(text) : text };
  };
  return { waymark, clock, url, call, write: keys.write!, admin: keys.admin!, reread: () => rereadProviders(channels) };
}
