/**
 * The project's data as it arrives: the event names received, with how often and when, and the property
 * keys of each; the profile trait keys. For the dashboard's event and property pickers. Read from a
 * bounded sample (one store read each), so it costs the same however much is stored, and nothing is
 * written as events arrive: ingest pays nothing for it.
 */
import Type, { type Static } from 'typebox';
import type { Store } from '../store/store.ts';
import { KeyCatalog, MAX_DEPTH, MAX_EXAMPLE, compare } from './key-catalog.ts';

/** Events read at most: the newest, by arrival. */
export const EVENT_SAMPLE = 10_000;
/** Profiles read at most, in user id order (the store keeps no order of recency it could read cheaply). */
export const PROFILE_SAMPLE = 10_000;
/**
 * Stored properties (or traits) read at most, in bytes: 10,000 events of up to 800 bytes fit; larger ones
 * make the sample smaller rather than the read longer.
 */
export const SAMPLE_BYTES = 8 * 1024 * 1024;
/** Event names listed at most (the most seen), and keys per name, and trait keys: a picker needs no more. */
export const MAX_NAMES = 500;
export const MAX_EVENT_KEYS = 100;
export const MAX_TRAIT_KEYS = 500;

const Key = Type.Object({
  path: Type.String({ description: `Keys joined by dots into nested objects (at most ${MAX_DEPTH} levels), e.g. "cart.total": in a template, Event.cart.total (Profile.… for a trait)` }),
  type: Type.Union([Type.Literal('string'), Type.Literal('number'), Type.Literal('boolean'), Type.Literal('array'), Type.Literal('object'), Type.Literal('null')], {
    description: 'The type most values have (null only when all are null); "object" for an empty object or one nested deeper than the path goes',
  }),
  count: Type.Integer({ description: 'How many of the sampled events (or profiles) have it' }),
  example: Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Null()], {
    description: `A value of that type: the newest event's (for a trait, the first profile's in user id order); strings cut to ${MAX_EXAMPLE} characters; null for arrays, objects and null`,
  }),
});

const SampleFields = {
  sampled: Type.Boolean({ description: 'true when the store holds more than was read: the counts are of the sample' }),
  read: Type.Integer({ description: 'How many were read' }),
  truncated: Type.Boolean({ description: `true when names or keys were left out: at most ${MAX_NAMES} names (the most seen), ${MAX_EVENT_KEYS} keys per name, ${MAX_TRAIT_KEYS} trait keys` }),
};

export const EventCatalog = Type.Object({
  ...SampleFields,
  events: Type.Array(
    Type.Object({
      name: Type.String(),
      count: Type.Integer({ description: 'How many of the sampled events have this name' }),
      lastSeenAt: Type.Integer({ description: 'The latest timestamp among them (epoch ms)' }),
      properties: Type.Array(Key, { description: 'The most common first, then by path' }),
    }),
    { description: 'The most seen first, then by name' },
  ),
});
export type EventCatalog = Static<typeof EventCatalog>;

export const TraitCatalog = Type.Object({ ...SampleFields, traits: Type.Array(Key, { description: 'The most common first, then by path' }) });
export type TraitCatalog = Static<typeof TraitCatalog>;

export async function eventCatalog(store: Store): Promise<EventCatalog> {
  const sample = await store.eventSample(EVENT_SAMPLE, SAMPLE_BYTES);
  const byName = new Map<string, { count: number; lastSeenAt: number; keys: KeyCatalog }>();
  for (const event of sample.items) {
    let seen = byName.get(event.name);
    if (!seen) byName.set(event.name, (seen = { count: 0, lastSeenAt: event.timestamp, keys: new KeyCatalog(MAX_EVENT_KEYS) }));
    seen.count++;
    seen.lastSeenAt = Math.max(seen.lastSeenAt, event.timestamp);
    seen.keys.add(event.properties);
  }
  const names = [...byName].sort(([a, x], [b, y]) => y.count - x.count || compare(a, b));
  const listed = names.slice(0, MAX_NAMES);
  return {
    sampled: sample.more,
    read: sample.items.length,
    truncated: names.length > listed.length || listed.some(([, seen]) => seen.keys.truncated),
    events: listed.map(([name, seen]) => ({ name, count: seen.count, lastSeenAt: seen.lastSeenAt, properties: seen.keys.keys() })),
  };
}

export async function traitCatalog(store: Store): Promise<TraitCatalog> {
  const sample = await store.profileSample(PROFILE_SAMPLE, SAMPLE_BYTES);
  const keys = new KeyCatalog(MAX_TRAIT_KEYS);
  for (const traits of sample.items) keys.add(traits);
  return { sampled: sample.more, read: sample.items.length, truncated: keys.truncated, traits: keys.keys() };
}
