/**
 * The settings and access records of the storage port: providers' settings, the copy assistant's settings and
 * log, API keys and dashboard users. Re-exported by records.ts.
 */
import type { Channel } from '../core/definition.ts';

export interface ProviderRecord {
  channel: Channel;
  config: Record<string, unknown>;
  updatedAt: number;
}

/** The copy assistant's language model settings (src/copy/settings.ts), its key included. */
export interface CopyProviderRecord {
  config: Record<string, unknown>;
  updatedAt: number;
}

/** One call to the copy assistant's model, as the audit log keeps it (never the key). */
export interface NewCopyLogEntry {
  at: number;
  /** 'ok', or what went wrong ('refused', 'rate_limited', 'provider_error', 'timeout', 'malformed', 'unreachable'). */
  outcome: string;
  model: string;
  /** What was sent: the messages, the model and its parameters. */
  request: Record<string, unknown>;
  /** The model's answer as received (the assembled text when streamed), cut to a bound; null when none came. */
  response: string | null;
  /** What Waymark made of it: the variants kept and dropped, or the error. */
  detail: string | null;
}

export interface CopyLogEntry extends NewCopyLogEntry {
  seq: number;
}

/** What the copy log keeps: the newest `max` entries, none older than `since`. */
export interface CopyLogRetention {
  max: number;
  since: number;
}

export interface ApiKeyRecord {
  kind: 'admin' | 'write';
  /** SHA-256 of the key, hex: all that is stored of it. */
  hash: string;
  createdAt: number;
  /** What it is for, as given when it was made; null for the first keys. */
  name?: string | null;
  /** The key's first characters, to tell keys apart in a list; null for keys made before they were kept. */
  prefix?: string | null;
  /** When it last opened a request (kept at most once a minute per process); null when never, or not since it was kept. */
  lastUsedAt?: number | null;
}

export type DashboardRole = 'admin' | 'editor' | 'viewer';

/** A person who signs in to the dashboard by email and password. */
export interface DashboardUserRecord {
  id: string;
  /** As given; unique whatever its case (the store compares it lowercased). */
  email: string;
  name: string;
  role: DashboardRole;
  /** The scrypt hash with its salt and parameters ("scrypt$N$r$p$salt$hash"), never the password. */
  password: string;
  disabled: boolean;
  createdAt: number;
  lastSignInAt: number | null;
}

/** What may change of a dashboard user; fields left out stay. */
export interface DashboardUserChange {
  name?: string;
  role?: DashboardRole;
  disabled?: boolean;
  password?: string;
}

/**
 * What a change or removal of a dashboard user did. last_admin: refused, because it would leave no enabled
 * admin user where there was one (the admin key still works, but the team would lose its way in by password).
 */
export type DashboardUserWrite = 'done' | 'unknown' | 'last_admin';

/** What removing a key did: removed; no such key; or refused, because it is the last admin key. */
export type KeyRemoval = 'removed' | 'unknown' | 'last_admin';

/** The work waiting in the store at a moment (GET /metrics). */
export interface QueueDepth {
  /** Pending messages (queued, or waiting for a retry) by channel, in channel order; channels with none left out. */
  pendingMessages: Array<{ channel: Channel; count: number }>;
  /** Instances whose timer is due at the moment asked about. */
  dueTimers: number;
  /** The earliest of those timers; null when none is due. */
  oldestDueAt: number | null;
  /** Internal events waiting in the inbox. */
  inbox: number;
}
