/**
 * Folding rows into the views units of work read (EventBatchView, TimerBatchView, UserContext), shared by the
 * adapters: each reads its rows its own way, then groups them here, so both hand decide the same shapes.
 */
import type { Channel } from '../core/definition.ts';
import type { Instance, JourneyEvent } from '../core/instance.ts';
import type { EventBatchView, InstanceMessage, Lookback, Profile, StoredEvent, UserContext } from './store.ts';

export function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}

export function getOrCreate<K, V>(map: Map<K, V>, key: K, create: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = create();
    map.set(key, value);
  }
  return value;
}

/** An event unit's view before its instances, context and lookback are read. */
export function emptyEventView(events: StoredEvent[], profiles: Map<string, Profile>): EventBatchView {
  return { events, profiles, live: new Map(), entered: new Map(), lastExits: new Map(), context: { history: new Map(), sends: new Map() }, recent: new Map() };
}

export function emptyContext(): UserContext {
  return { history: new Map(), sends: new Map() };
}

/** A live instance of a user of the view (it counts as entered once it has entered). */
export function addLive(view: EventBatchView, instance: Instance): void {
  getOrCreate(view.live, instance.userId, () => [] as Instance[]).push(instance);
  if (instance.enteredAt !== null) getOrCreate(view.entered, instance.userId, () => new Set<string>()).add(instance.journeyId);
}

/** The ids of a view's live instances: what its unit read, so what it may move on rather than insert. */
export function liveInstanceIds(live: EventBatchView['live']): string[] {
  const ids: string[] = [];
  for (const instances of live.values()) for (const i of instances) ids.push(i.id);
  return ids;
}

/** A journey a user of the view entered, and when they last left a pass of it (null: never left one). */
export function addEntered(view: EventBatchView, userId: string, journeyId: string, lastExit: number | null): void {
  getOrCreate(view.entered, userId, () => new Set<string>()).add(journeyId);
  if (lastExit !== null) getOrCreate(view.lastExits, userId, () => new Map<string, number>()).set(journeyId, lastExit);
}

/** Adds events, in the order given, to their users' lists (UserContext.history, EventBatchView.recent). */
export function groupByUser(into: Map<string, StoredEvent[]>, events: Iterable<StoredEvent>): void {
  for (const e of events) getOrCreate(into, e.userId, () => [] as StoredEvent[]).push(e);
}

/** Adds a user's send (pending or sent message) to UserContext.sends, in the order given. */
export function addSend(context: UserContext, userId: string, channel: Channel, at: number): void {
  getOrCreate(context.sends, userId, () => [] as Array<{ channel: Channel; at: number }>).push({ channel, at });
}

/** Messages per instance id, in the order given (UserContext.messages). */
export function groupByInstance(rows: Iterable<{ instanceId: string; message: InstanceMessage }>): Map<string, InstanceMessage[]> {
  const messages = new Map<string, InstanceMessage[]>();
  for (const { instanceId, message } of rows) getOrCreate(messages, instanceId, () => [] as InstanceMessage[]).push(message);
  return messages;
}

/**
 * Per user with an event that may start a journey, the earliest such event's timestamp: from there on their
 * stored events are replayed (EventBatchView.recent). Null when there is nothing to read.
 */
export function lookbackStarts(fresh: JourneyEvent[], lookback: Lookback): Map<string, number> | null {
  const since = new Map<string, number>();
  for (const e of fresh) {
    if (lookback.startsJourney(e)) since.set(e.userId, Math.min(since.get(e.userId) ?? Infinity, e.timestamp));
  }
  return since.size === 0 || lookback.names.size === 0 ? null : since;
}
