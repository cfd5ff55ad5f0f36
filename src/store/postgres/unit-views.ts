/**
 * What a unit of work reads for decide, in its transaction and after its users' locks: their profiles, their
 * instances, the context a journey asks for and the events a journey started now may replay. One statement
 * per kind, each probing an index once per user (see batch-lookups.ts).
 */
import type { Channel } from '../../core/definition.ts';
import type { Instance } from '../../core/instance.ts';
import type { EventBatchView, Lookback, Profile, StoredEvent, TimerBatchView, UserContext, UserContextSpec } from '../store.ts';
import { MIN_TIMESTAMP, type Row } from '../rows.ts';
import { addEntered, addLive, addSend, emptyContext, emptyEventView, groupByInstance, groupByUser, lookbackStarts, unique } from '../views.ts';
import { EVENTS_OF_USERS, INSTANCES_OF_USERS, MESSAGES_OF_INSTANCES, PROFILES_OF_USERS, RECENT_EVENTS_OF_USERS, SENDS_OF_USERS } from './batch-lookups.ts';
import type { Client } from './connection.ts';
import { toEvent, toInstance, toInstanceMessage, toProfile } from './pg-rows.ts';

/**
 * An event unit's view of its fresh events' users: their profiles; their live instances (locked FOR UPDATE,
 * in id order) and, per (user, journey), whether they entered it and when they last left it; the context
 * `spec` asks for; and, with a lookback, the stored events a journey started now may replay.
 */
export async function loadEventView(c: Client, fresh: StoredEvent[], users: string[], lookback: Lookback | undefined, spec: UserContextSpec | undefined): Promise<EventBatchView> {
  const view = emptyEventView(fresh, await loadProfiles(c, users));
  const { rows } = await c.query({ name: 'wm-instances-of-users', text: INSTANCES_OF_USERS, values: [users] });
  const liveIds: string[] = [];
  for (const row of rows as Row[]) {
    if (row.state !== null) {
      const instance = toInstance(row);
      addLive(view, instance);
      liveIds.push(instance.id);
    } else addEntered(view, row.user_id as string, row.journey_id as string, row.last_exit as number | null);
  }
  view.context = await loadContext(c, users, liveIds, spec);
  if (lookback) await loadRecent(c, fresh, lookback, view);
  return view;
}

/** A timer unit's view of the instances it claimed (and holds the users of): their users' profiles and context. */
export async function loadTimerView(c: Client, instances: Instance[], spec: UserContextSpec | undefined): Promise<TimerBatchView> {
  const users = unique(instances.map((i) => i.userId));
  return {
    instances,
    profiles: await loadProfiles(c, users),
    context: await loadContext(c, users, instances.map((i) => i.id), spec),
  };
}

/**
 * What `spec` asks for about these users (and, for outcomes, these instances of theirs): one statement per
 * kind, in the unit's transaction (after its locks).
 */
async function loadContext(c: Client, users: string[], instanceIds: string[], spec: UserContextSpec | undefined): Promise<UserContext> {
  const context = emptyContext();
  if (!spec) return context;
  const history = spec.history;
  if (history && history.names.size > 0) {
    const { rows } = await c.query({ name: 'wm-history-of-users', text: EVENTS_OF_USERS, values: [users, [...history.names], history.since ?? MIN_TIMESTAMP] });
    groupByUser(context.history, (rows as Row[]).map(toEvent));
  }
  if (spec.sendsSince !== null) {
    const { rows } = await c.query({ name: 'wm-sends-of-users', text: SENDS_OF_USERS, values: [users, spec.sendsSince] });
    for (const row of rows as Row[]) addSend(context, row.user_id as string, row.channel as Channel, row.created_at as number);
  }
  if (spec.outcomes) {
    const rows = instanceIds.length === 0 ? [] : (await c.query({ name: 'wm-messages-of-instances', text: MESSAGES_OF_INSTANCES, values: [unique(instanceIds)] })).rows;
    context.messages = groupByInstance((rows as Row[]).map((row) => ({ instanceId: row.instance_id as string, message: toInstanceMessage(row) })));
  }
  return context;
}

/** The stored events a journey started now may replay: see EventBatchView.recent. */
async function loadRecent(c: Client, fresh: StoredEvent[], lookback: Lookback, view: EventBatchView): Promise<void> {
  const since = lookbackStarts(fresh, lookback);
  if (!since) return;
  const { rows } = await c.query({
    name: 'wm-recent-events',
    text: RECENT_EVENTS_OF_USERS,
    values: [[...since.keys()], [...since.values()], [...lookback.names]],
  });
  groupByUser(view.recent, (rows as Row[]).map(toEvent));
}

async function loadProfiles(c: Client, users: string[]): Promise<Map<string, Profile>> {
  const { rows } = await c.query({ name: 'wm-profiles-of', text: PROFILES_OF_USERS, values: [users] });
  const profiles = new Map<string, Profile>();
  for (const row of rows as Row[]) profiles.set(row.user_id as string, toProfile(row));
  return profiles;
}
