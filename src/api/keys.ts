/**
 * API keys: the first ones, made at the first start, and those made, rotated and revoked since (routes/keys.ts,
 * `waymark keys`). A key is shown once, when it is made; the store keeps only its SHA-256 hash, a name and
 * its first characters, so a person can tell keys apart in a list without the list revealing any.
 */
import { randomBytes } from 'node:crypto';
import type { ApiKeyRecord, Store } from '../store/store.ts';
import { hashKey } from './auth.ts';

/** Shortest seed key accepted: a guessable key would be the whole of the API's security. */
const MIN_SEED_LENGTH = 16;
/** "wm_write_" and three random characters: enough to tell keys apart, nothing to guess from (a key has 192 random bits). */
const SHOWN_RANDOM_CHARS = 3;

export type KeyKind = ApiKeyRecord['kind'];

/** A key as lists show it: never the key, nor its whole hash. */
export interface KeyView {
  /** The first 12 hex digits of its hash: stable, and names it in rotate and revoke. */
  id: string;
  kind: KeyKind;
  name: string | null;
  /** Its first characters ("wm_write_Ab3"), or null for keys made before they were kept. */
  prefix: string | null;
  createdAt: number;
  /** When it last opened a request (recorded at most once a minute); null when never. */
  lastUsedAt: number | null;
}

export const keyId = (hash: string): string => hash.slice(0, 12);

export function keyView(record: ApiKeyRecord): KeyView {
  return { id: keyId(record.hash), kind: record.kind, name: record.name ?? null, prefix: record.prefix ?? null, createdAt: record.createdAt, lastUsedAt: record.lastUsedAt ?? null };
}

function newKey(kind: KeyKind): string {
  return `wm_${kind}_${randomBytes(24).toString('base64url')}`;
}

function recordOf(key: string, kind: KeyKind, name: string | null, now: number, showPrefix = true): ApiKeyRecord {
  const prefix = showPrefix ? key.slice(0, `wm_${kind}_`.length + SHOWN_RANDOM_CHARS) : null;
  return { kind, hash: hashKey(key), createdAt: now, name, prefix };
}

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
  // A seed key is the operator's own secret: none of it is kept to be shown.
  await store.addApiKey(recordOf(admin, 'admin', 'first admin key', now, seed.admin === undefined));
  await store.addApiKey(recordOf(write, 'write', 'first write key', now, seed.write === undefined));
  return { admin, write };
}

export class UnknownKeyError extends Error {}
export class LastAdminKeyError extends Error {}

async function findKey(store: Store, id: string): Promise<ApiKeyRecord> {
  const record = (await store.listApiKeys()).find((k) => keyId(k.hash) === id);
  if (!record) throw new UnknownKeyError(`no key "${id}"`);
  return record;
}

/** A new key of `kind`: shown once, here. */
export async function createKey(store: Store, kind: KeyKind, name: string | null, now: number): Promise<{ key: string; view: KeyView }> {
  const key = newKey(kind);
  const record = recordOf(key, kind, name, now);
  await store.addApiKey(record);
  return { key, view: keyView(record) };
}

/** A new key in place of key `id`, of its kind and name; the old one stops working in the same step. */
export async function rotateKey(store: Store, id: string, now: number): Promise<{ key: string; view: KeyView }> {
  const old = await findKey(store, id);
  const key = newKey(old.kind);
  const record = recordOf(key, old.kind, old.name ?? null, now);
  if (!(await store.replaceApiKey(old.hash, record))) throw new UnknownKeyError(`no key "${id}"`);
  return { key, view: keyView(record) };
}

export async function revokeKey(store: Store, id: string): Promise<void> {
  const record = await findKey(store, id);
  const outcome = await store.removeApiKey(record.hash);
  if (outcome === 'unknown') throw new UnknownKeyError(`no key "${id}"`);
  if (outcome === 'last_admin') throw new LastAdminKeyError(`key "${id}" is the last admin key: make another admin key before revoking it, or rotate it instead`);
}
