/**
 * What a batch of events or due timers changes: runs the pure interpreter over what the store loaded and
 * turns its effects into rows (messages rendered, stats aggregated). Synchronous, so the store can run it
 * inside its transaction.
 */
import { advance, shouldStart, startInstance, type CapContext, type Env } from '../core/interpreter.ts';
import { addressOf, type Channel } from '../core/channels.ts';
import type { Instance, JourneyEvent, Transition } from '../core/instance.ts';
import type { MessageRecord } from '../core/segment.ts';
import { ENTER_EVENT } from '../core/validate.ts';
import { mergeTraits } from '../core/traits.ts';
import type { Changes, EventBatchView, InstanceMessage, MessageContent, NewMessage, Profile, ProfileUpsert, StatDelta, TimerBatchView, UserContext } from '../store/store.ts';
import type { Catalog, CatalogEntry } from './catalog.ts';
import { OverdueUsers, isOverdue } from './overdue-users.ts';
import { renderMessage } from '../core/templates.ts';

/**
 * When an input is processed. 'arrival': now, as the runtime sees it (real time). 'occurrence': the moment it
 * happened, an event at its timestamp and a timer at its due time, with a user's earlier timers fired before
 * their event; simulations use it to process large batches spanning time exactly as if one by one.
 */
export type TimeMode = 'arrival' | 'occurrence';

export interface DecideOptions {
  now: number;
  inStore: ReadonlySet<Channel>;
  time: TimeMode;
  /** The project's frequency caps (none when absent). */
  caps?: CapContext['rules'];
  /** The project's time zone, for journeys that name none (UTC when absent). */
  projectTimezone?: string;
  /**
   * 'occurrence' time: the latest moment an event already taken happened. An event from before it is a late
   * delivery and is taken then, as the live server takes it on arrival (default: no event taken yet).
   */
  arrivedBy?: number;
}

export function decideEvents(catalog: Catalog, view: EventBatchView, options: DecideOptions): ChangeSet {
  const changes = new ChangeSet(options.now, options.inStore, view.profiles, view.context, catalog, options.projectTimezone);
  const occurrence = options.time === 'occurrence';
  // Events of this batch not processed yet: a journey started now must not replay them, the loop will.
  const ahead = new Set(view.events.map((e) => e.messageId));
  let arrived = options.arrivedBy ?? -Infinity;
  // Users with a timer that was overdue as it was set (Instance.wakeNotBefore), still to fire.
  const overdue = new OverdueUsers((userId) => view.live.get(userId) ?? []);
  for (const [userId, list] of view.live) overdue.update(userId, list);
  // In arrival time this unit fires only timers overdue as set, at its now, as the timer loop would.
  const arrivalNow = occurrence ? null : options.now;
  for (const event of view.events) {
    ahead.delete(event.messageId);
    arrived = Math.max(arrived, event.timestamp);
    const now = occurrence ? arrived : options.now;
    if (overdue.size > 0) fireOverdue(catalog, view, overdue, event, changes, options.caps, arrivalNow);
    // Read afresh each time: an updateProfile node earlier in this batch may have changed the traits.
    const env = (instanceId?: string): Env => changes.envOf(event.userId, now, options.caps, instanceId);
    const live = view.live.get(event.userId) ?? [];
    const stillLive: Instance[] = [];
    for (let instance of live) {
      const entry = catalog.version(instance.journeyId, instance.version);
      if (entry && (occurrence || isOverdue(instance))) instance = fireDueBefore(entry, instance, now, event.timestamp, changes, options.caps, arrivalNow);
      noteHistory(view, instance);
      if (instance.status === 'exited') continue;
      if (entry && entry.watches.has(event.name)) {
        const t = overdueIn(advance(entry.journey, instance, { type: 'event', event }, env(instance.id)), now);
        changes.take(entry, t, now);
        noteHistory(view, t.instance);
        if (t.instance.status !== 'exited') stillLive.push(t.instance);
      } else {
        stillLive.push(instance);
      }
    }
    for (const entry of catalog.startingOn(event)) {
      const entered = view.entered.get(event.userId);
      const history = {
        live: stillLive.some((i) => i.journeyId === entry.journeyId),
        everEntered: entered?.has(entry.journeyId) ?? false,
        lastExitAt: view.lastExits.get(event.userId)?.get(entry.journeyId) ?? null,
      };
      if (!shouldStart(entry.journey, event, history)) continue;
      let t = overdueIn(startInstance(entry.journey, entry.journeyId, entry.version, event, env()), now);
      changes.take(entry, t, now);
      // Events that happened after this one but reached us before it (a conversion overtaking its cart).
      for (const earlier of view.recent.get(event.userId) ?? []) {
        if (t.instance.status === 'exited') break;
        if (earlier.timestamp < event.timestamp || earlier.messageId === event.messageId || ahead.has(earlier.messageId) || !entry.watches.has(earlier.name)) continue;
        t = overdueIn(advance(entry.journey, t.instance, { type: 'event', event: earlier }, env()), now);
        changes.take(entry, t, now);
      }
      if (t.instance.status !== 'exited') stillLive.push(t.instance);
      noteHistory(view, t.instance);
    }
    view.live.set(event.userId, stillLive);
    overdue.update(event.userId, stillLive);
  }
  return changes;
}

export function decideTimers(catalog: Catalog, view: TimerBatchView, options: DecideOptions): ChangeSet {
  const changes = new ChangeSet(options.now, options.inStore, view.profiles, view.context, catalog, options.projectTimezone);
  const occurrence = options.time === 'occurrence';
  for (const instance of view.instances) {
    const entry = catalog.version(instance.journeyId, instance.version);
    if (!entry) {
      // Its version is unknown to this process (published elsewhere a moment ago): retry shortly.
      changes.instances.set(instance.id, { ...instance, wakeAt: options.now + 1_000 });
      continue;
    }
    const now = occurrence && instance.wakeAt !== null ? firesAt(instance, options.now) : options.now;
    const t = advance(entry.journey, instance, { type: 'timer' }, changes.envOf(instance.userId, now, options.caps, instance.id));
    changes.take(entry, overdueIn(t, now), now);
  }
  return changes;
}

/**
 * Keeps the batch's entry history current as its instances enter and exit, so a later event of the same batch
 * sees them as the next unit of work would: re-entry "never" and the cool-down then hold inside a batch too.
 * Like the store's, only passes that entered count (a broken inaction window is no pass).
 */
function noteHistory(view: EventBatchView, instance: Instance): void {
  if (instance.enteredAt === null) return;
  const entered = view.entered.get(instance.userId);
  if (entered) entered.add(instance.journeyId);
  else view.entered.set(instance.userId, new Set([instance.journeyId]));
  if (instance.status !== 'exited' || !instance.exit) return;
  const exits = view.lastExits.get(instance.userId);
  if (!exits) view.lastExits.set(instance.userId, new Map([[instance.journeyId, instance.exit.at]]));
  else if (!((exits.get(instance.journeyId) ?? -Infinity) >= instance.exit.at)) exits.set(instance.journeyId, instance.exit.at);
}

/**
 * Fires an instance's timers that go before an event taken at `takenAt` that happened at `happenedAt`: those due
 * strictly before `takenAt`, each at its due time (an event at the same moment goes first). A timer that was
 * already overdue as it was set fires, when that was decided, only before an event that happened after its due
 * time, as when events are taken one at a time (Instance.wakeNotBefore). Given `arrivalNow` (arrival time), only
 * those fire, at that now: the others are the timer loop's.
 */
function fireDueBefore(entry: CatalogEntry, instance: Instance, takenAt: number, happenedAt: number, changes: ChangeSet, caps: DecideOptions['caps'], arrivalNow: number | null): Instance {
  let current = instance;
  while (current.status !== 'exited' && current.wakeAt !== null && (arrivalNow === null || isOverdue(current)) && current.wakeAt < (isOverdue(current) ? happenedAt : takenAt)) {
    const at = arrivalNow ?? firesAt(current);
    const t = overdueIn(advance(entry.journey, current, { type: 'timer' }, changes.envOf(current.userId, at, caps, current.id)), at);
    changes.take(entry, t, at);
    if (t.instance.wakeAt === current.wakeAt) break; // nothing moved: never spin
    current = t.instance;
  }
  return current;
}

/**
 * Events taken one at a time fire a timer before an event that happened after it, whoever's: so an event of
 * another user fires the overdue timers it comes after, in a batch too. Only their order against the user's own
 * later events matters; when they fire is fixed (Instance.wakeNotBefore).
 */
function fireOverdue(catalog: Catalog, view: EventBatchView, overdue: OverdueUsers, event: JourneyEvent, changes: ChangeSet, caps: DecideOptions['caps'], arrivalNow: number | null): void {
  for (const userId of overdue.dueBefore(event.timestamp, event.userId)) {
    const stillLive: Instance[] = [];
    for (let instance of view.live.get(userId) ?? []) {
      const entry = catalog.version(instance.journeyId, instance.version);
      if (entry) instance = fireDueBefore(entry, instance, event.timestamp, event.timestamp, changes, caps, arrivalNow);
      noteHistory(view, instance);
      if (instance.status !== 'exited') stillLive.push(instance);
    }
    view.live.set(userId, stillLive);
    overdue.update(userId, stillLive);
  }
}

/**
 * Occurrence time: when an instance's timer fires: its due time (no later than `dueBy`, the moment timers were
 * asked for up to), unless that had passed when it was set.
 */
function firesAt(instance: Instance, dueBy = Infinity): number {
  return Math.max(Math.min(instance.wakeAt!, dueBy), instance.wakeNotBefore ?? -Infinity);
}

/**
 * Marks a timer that a decision taken at `now` left already due (a late event moved the user on to a wait that
 * was over), so it fires at `now`, as live, and not back at its due time, and keeps its order against the user's
 * next events (fireDueBefore); clears a stale mark.
 */
function overdueIn(t: Transition, now: number): Transition {
  const { wakeAt, wakeNotBefore } = t.instance;
  if (wakeAt !== null && wakeAt < now) return wakeNotBefore === now ? t : { ...t, instance: { ...t.instance, wakeNotBefore: now } };
  if (wakeNotBefore === undefined) return t;
  const { wakeNotBefore: _stale, ...instance } = t.instance;
  return { ...t, instance };
}

/** Accumulates one unit of work's changes; stats are summed so each counter is written once per batch. */
export class ChangeSet {
  readonly instances = new Map<string, Instance>();
  readonly messages: NewMessage[] = [];
  /** Trait patches from updateProfile nodes, in order; merged like the profile API (null removes). */
  readonly profiles: ProfileUpsert[] = [];
  /** Internal events for the inbox: journeys this unit's users trigger. */
  readonly followUps: JourneyEvent[] = [];
  /** The unit's counters in the order first counted, and found by journey version, node and metric. */
  private readonly stats: StatDelta[] = [];
  // Keyed by the catalog's entry of the version, then node, then metric: a key joined into one string was 1.6%
  // of a simulation thread (each count built and hashed a new string).
  private readonly counters = new Map<CatalogEntry, Map<string, Map<StatDelta['metric'], StatDelta>>>();
  /** The earliest timer this unit set, so the runtime can arm its in-memory schedule. */
  earliestWake: number | null = null;

  constructor(
    private readonly now: number,
    /** Channels whose delivery is the message row itself: recorded as sent at once. */
    private readonly inStore: ReadonlySet<Channel>,
    /** The unit's loaded profiles; updated in place so later steps of the unit see their own writes. */
    private readonly profileViews: Map<string, Profile>,
    /** The users' event history and recent sends; sends are appended as the unit makes them, for the caps. */
    private readonly context: UserContext = { history: new Map(), sends: new Map() },
    private readonly catalog?: Catalog,
    private readonly projectTimezone?: string,
  ) {}

  profileOf(userId: string): Profile | null {
    return this.profileViews.get(userId) ?? null;
  }

  /** What the interpreter sees of a user at `now`, this unit's own writes and sends included. */
  envOf(userId: string, now: number, caps: DecideOptions['caps'], instanceId?: string): Env {
    const env: Env = { now, profile: this.profileOf(userId), render: renderMessage };
    if (this.projectTimezone) env.projectTimezone = this.projectTimezone;
    const history = this.context.history.get(userId);
    if (history) env.events = history;
    if (caps && caps.length > 0) env.caps = { rules: caps, recent: this.context.sends.get(userId) ?? [] };
    const messages = instanceId === undefined ? undefined : this.context.messages?.get(instanceId);
    if (messages) env.messages = messages.flatMap(outcomesOf);
    return env;
  }

  /** Records a transition made at `at` (the unit's now unless inputs carry their own time). */
  take(entry: CatalogEntry, { instance, effects }: Transition, at = this.now): void {
    let profile = this.profileOf(instance.userId);
    this.instances.set(instance.id, instance);
    if (instance.wakeAt !== null && (this.earliestWake === null || instance.wakeAt < this.earliestWake)) this.earliestWake = instance.wakeAt;
    for (const effect of effects) {
      switch (effect.type) {
        case 'count':
          this.count(entry, effect.nodeId ?? '', effect.metric);
          if (effect.metric === 'node_entered' && effect.nodeId) this.trigger(instance, effect.nodeId, at);
          if (effect.metric === 'entered') this.trigger(instance, entry.journey.entry.id, at);
          break;
        case 'send': {
          // Rendered by the interpreter (envOf gives it the renderer), so a failure could take the failure path.
          if (!effect.content) throw new Error(`send effect for ${effect.nodeId} without its content`);
          const to = addressOf(effect.channel, profile?.traits);
          const content: MessageContent = to === undefined ? effect.content : { ...effect.content, to };
          const delivered = this.inStore.has(effect.channel);
          this.messages.push(this.message(instance, effect.sendId, effect.nodeId, effect.channel, delivered ? 'sent' : 'pending', null, content, at));
          const sends = this.context.sends.get(instance.userId);
          if (sends) sends.push({ channel: effect.channel, at });
          else this.context.sends.set(instance.userId, [{ channel: effect.channel, at }]);
          if (delivered) this.count(entry, effect.nodeId, 'node_sent');
          break;
        }
        case 'profile':
          this.profiles.push({ userId: instance.userId, traits: effect.set });
          profile = { userId: instance.userId, traits: mergeTraits(profile?.traits ?? {}, effect.set), updatedAt: at };
          this.profileViews.set(instance.userId, profile);
          break;
        case 'skip':
          this.messages.push(this.message(instance, effect.sendId, effect.nodeId, effect.channel, 'skipped', effect.reason, null, at));
          this.count(entry, effect.nodeId, `node_skipped:${effect.reason}`); // the stats' skips by reason, next to the core's node_skipped
          break;
        case 'fail':
          this.messages.push(this.message(instance, effect.sendId, effect.nodeId, effect.channel, 'failed', `${effect.reason}: ${effect.detail}`, null, at));
          this.count(entry, effect.nodeId, 'node_failed');
          break;
        default: {
          const never: never = effect;
          throw new Error(`unknown effect ${JSON.stringify(never)}`);
        }
      }
    }
  }

  toChanges(): Changes {
    return { instances: [...this.instances.values()], messages: this.messages, stats: this.stats, profiles: this.profiles, followUps: this.followUps };
  }

  /**
   * Journey triggers: the journeys that start when a user reaches this node get an internal ENTER_EVENT, kept
   * in the inbox with this unit's changes. Its id names the journey and this visit, so it happens once.
   */
  private trigger(instance: Instance, nodeId: string, at: number): void {
    for (const target of this.catalog?.triggeredBy(instance.journeyId, nodeId) ?? []) {
      this.followUps.push({
        messageId: `${ENTER_EVENT}:${target.journeyId}:${instance.id}:${nodeId}:${instance.step}`,
        userId: instance.userId,
        name: ENTER_EVENT,
        timestamp: at,
        properties: { ...instance.entryEvent.properties, journeyId: target.journeyId, fromJourney: instance.journeyId, fromNode: nodeId },
      });
    }
  }

  private message(i: Instance, id: string, nodeId: string, channel: NewMessage['channel'], status: NewMessage['status'], reason: NewMessage['reason'], content: NewMessage['content'], at: number): NewMessage {
    return { id, journeyId: i.journeyId, version: i.version, instanceId: i.id, nodeId, userId: i.userId, channel, status, reason, content, createdAt: at, sentAt: status === 'sent' ? at : null };
  }

  /** Counts one for a journey version (its catalog entry, the instance's), at the node. */
  private count(entry: CatalogEntry, nodeId: string, metric: StatDelta['metric']): void {
    let nodes = this.counters.get(entry);
    if (!nodes) this.counters.set(entry, (nodes = new Map()));
    let metrics = nodes.get(nodeId);
    if (!metrics) nodes.set(nodeId, (metrics = new Map()));
    const known = metrics.get(metric);
    if (known) known.count += 1;
    else {
      const delta: StatDelta = { journeyId: entry.journeyId, version: entry.version, nodeId, metric, count: 1 };
      metrics.set(metric, delta);
      this.stats.push(delta);
    }
  }
}

/**
 * A stored message as outcomes: "sent" once handed to the channel (queued or delivered), "failed" when the
 * channel gave up or the email bounced after it was sent (at its send: no time of the bounce is kept),
 * "unreachable" when skipped, and "clicked" on the first click.
 */
function outcomesOf(m: InstanceMessage): MessageRecord[] {
  const sentAt = m.sentAt ?? m.createdAt;
  switch (m.status) {
    case 'skipped':
      return [{ nodeId: m.nodeId, outcome: 'unreachable', at: m.createdAt }];
    case 'failed':
    case 'dead':
    case 'bounced':
      return [{ nodeId: m.nodeId, outcome: 'failed', at: sentAt, sentAt: m.createdAt }];
    case 'pending':
    case 'sent':
    case 'delivered': {
      const sent: MessageRecord = { nodeId: m.nodeId, outcome: 'sent', at: sentAt };
      return m.clickedAt === null ? [sent] : [sent, { nodeId: m.nodeId, outcome: 'clicked', at: m.clickedAt, sentAt }];
    }
    default:
      return [];
  }
}
