/** First-run API keys: made once, shown once, stored only as SHA-256 hashes. */
import { randomBytes } from 'node:crypto';
import type { Store } from '../store/store.ts';
import { hashKey } from './auth.ts';

/** Shortest seed key accepted: a guessable key would be the whole of the API's security. */
const MIN_SEED_LENGTH = 16;

/**
 * When the store has no keys yet, creates one admin and one write key (random, or the seed values given)
 * and returns them in plaintext for the caller to print: they cannot be read back later. Returns `{}` when
 * keys already exist, so restarting a server never mints new ones.
 */
export async function ensureApiKeys(store: Store, seed: { admin?: string; write?: string } = {}): Promise<{ admin?: string; write?: string }> {
  if ((await store.listApiKeys()).length > 0) return {};
  for (const [kind, value] of Object.entries(seed)) {
    if (value !== undefined && value.length < MIN_SEED_LENGTH) throw new Error(`the seed ${kind} key must be at least ${MIN_SEED_LENGTH} characters`);
  }
  if (seed.admin !== undefined && seed.admin === seed.write) throw new Error('the seed admin and write keys must differ');
  const admin = seed.admin ?? newKey('admin');
  const write = seed.write ?? newKey('write');
  const now = Date.now();
  await store.addApiKey({ kind: 'admin', hash: hashKey(admin), createdAt: now });
  await store.addApiKey({ kind: 'write', hash: hashKey(write), createdAt: now });
  return { admin, write };
}

function newKey(kind: 'admin' | 'write'): string {
  return `wm_${kind}_${randomBytes(24).toString('base64url')}`;
}
