/**
 * The journey interpreter: a pure function of (journey, instance, input, now, profile) to (instance, effects).
 * No I/O and no reading of the system clock; the caller stores the new instance and carries out the effects
 * in one transaction.
 */
import { bucketOf } from './bucket.ts';
import { MISSED, NEXT, NO, TIMEOUT, UNREACHABLE, YES } from './branches.ts';
import { matchesAll } from './filters.ts';
import { mergeTraits } from './traits.ts';
import { assertNever } from './never.ts';
import type { Channel, Filter, JourneyNode, Trigger } from './definition.ts';
import type { MessageRecord, UserEvent } from './segment.ts';
import { firstAllowedMoment } from './dnd.ts';
import { dateMoment, nextClockTime, zoneFor } from './local-time.ts';
import type { Effect, Input, Instance, JourneyEvent, JourneyMetric, ProfileView, SkipReason, Transition, ExitReason } from './instance.ts';
import type { CompiledGoal, CompiledJourney } from './validate.ts';
import type { Renderer, RenderResult } from './templates.ts';

export interface Env {
  now: number;
  profile: ProfileView | null;
  /** The user's stored events a split's condition may ask about (the catalog says which); none if absent. */
  events?: readonly UserEvent[];
  /** The project's frequency caps and the user's messages recent enough to count against them. */
  caps?: CapContext;
  /** The project's time zone (settings), for journeys that name none; UTC when absent. */
  projectTimezone?: string;
  /**
   * What the store knows of this instance's messages, for splits on message outcome: authoritative for the
   * nodes it covers (a queued message that later failed is "failed"); the instance's own record covers the rest.
   */
  messages?: readonly MessageRecord[];
  /**
   * Renders a send's message for the user (pure: the profile as this step sees it and the entry event). With
   * it, a send effect carries its content, and a template that fails fails that message; without it, sends
   * carry no content (the interpreter alone, in tests).
   */
  render?: Renderer;
}

export interface CapContext {
  rules: ReadonlyArray<{ max: number; perMs: number; channel?: Channel }>;
  /** The user's messages sent or queued, every journey, at least as far back as the longest rule. */
  recent: ReadonlyArray<{ channel: Channel; at: number }>;
}

/** Whether one more message on `channel` at `now` would break a cap, counting `sent` (this step's own sends) too. */
export function capped(caps: CapContext | undefined, channel: Channel, now: number, sent: ReadonlyArray<{ channel: Channel; at: number }> = []): boolean {
  if (!caps) return false;
  return caps.rules.some((rule) => {
    if (rule.channel !== undefined && rule.channel !== channel) return false;
    const counts = (m: { channel: Channel; at: number }) => m.at > now - rule.perMs && m.at <= now && (rule.channel === undefined || m.channel === rule.channel);
    let n = 0;
    for (const m of caps.recent) if (counts(m)) n++;
    for (const m of sent) if (counts(m)) n++;
    return n >= rule.max;
  });
}

/** How long a control-group user is watched for conversions when the journey sets no timeout. */
export const CONTROL_WINDOW_WITHOUT_TIMEOUT_MS = 30 * 86_400_000;

/** What the store knows about a user's earlier passes through a journey. */
export interface EntryHistory {
  live: boolean;
  everEntered: boolean;
  /** When the user last left this journey, if known: for a re-entry cool-down. */
  lastExitAt?: number | null;
}

/** Whether `event` starts a new instance of the journey for its user. */
export function shouldStart(journey: CompiledJourney, event: JourneyEvent, history: EntryHistory): boolean {
  if (event.name !== journey.entry.event) return false; // a scheduled entry's journeyId is the catalog's to match
  const trigger = journey.entry.trigger;
  if ((trigger.type === 'action' || trigger.type === 'inaction') && !matchesAll(trigger.where, event.properties)) return false;
  if (history.live) return false; // never two live instances of one journey for one user
  if (!withinEntryTimeline(journey, event.timestamp)) return false;
  if (history.everEntered && journey.reentry === 'never') return false;
  const cooldown = journey.reentryCooldownMs;
  return !(cooldown !== null && history.lastExitAt != null && event.timestamp < history.lastExitAt + cooldown);
}

/** Entries happen from startAt (included) to endAt (excluded), judged at the moment the user did the entry event. */
export function withinEntryTimeline(journey: CompiledJourney, at: number): boolean {
  return (journey.startAt === null || at >= journey.startAt) && (journey.endAt === null || at < journey.endAt);
}

export function instanceId(journeyId: string, entryMessageId: string): string {
  return `${journeyId}:${entryMessageId}`;
}

export function startInstance(journey: CompiledJourney, journeyId: string, version: number, event: JourneyEvent, env: Env): Transition {
  const instance: Instance = {
    id: instanceId(journeyId, event.messageId),
    journeyId,
    version,
    userId: event.userId,
    status: 'pending',
    nodeId: journey.entry.id,
    wakeAt: null,
    createdAt: event.timestamp,
    enteredAt: null,
    step: 0,
    entryEvent: { messageId: event.messageId, name: event.name, timestamp: event.timestamp, properties: event.properties },
    nodeUntil: null,
    timeoutAt: null,
    convertedAt: null,
    exit: null,
  };
  const run = new Run(journey, instance, env);
  const enterAt = scheduledMoment(journey, event);
  if (journey.entry.trigger.type === 'inaction') instance.nodeUntil = event.timestamp + journey.entry.withinMs;
  else if (enterAt !== null && enterAt > env.now) instance.nodeUntil = enterAt; // a date entry found ahead of its moment
  else run.qualify();
  return run.finish();
}

/** For a scheduled entry: the moment the user is to enter, carried by the ENTER_EVENT. */
function scheduledMoment(journey: CompiledJourney, event: JourneyEvent): number | null {
  if (journey.entry.trigger.type !== 'date') return null;
  const at = event.properties.at;
  return typeof at === 'number' && Number.isFinite(at) ? at : null;
}

export function advance(journey: CompiledJourney, current: Instance, input: Input, env: Env): Transition {
  const run = new Run(journey, { ...current }, env);
  switch (input.type) {
    case 'timer':
      run.onTimer();
      break;
    case 'event':
      run.onEvent(input.event);
      break;
    default:
      assertNever(input);
  }
  return run.finish();
}

/** One interpreter step over a copy of the instance, collecting effects. */
class Run {
  private readonly effects: Effect[] = [];
  /**
   * The moment later waits are measured from: the time a step was due, not when the engine got to it, so
   * lateness (a busy engine, a restart) does not accumulate along the journey.
   */
  private base: number;
  /** The profile as this step sees it: an updateProfile node's write is visible to the nodes after it. */
  private profile: ProfileView | null;
  /** Messages this step has sent: they count against the frequency caps of its later sends. */
  private readonly sentThisStep: Array<{ channel: Channel; at: number }> = [];

  constructor(
    private readonly journey: CompiledJourney,
    private readonly instance: Instance,
    private readonly env: Env,
  ) {
    this.base = env.now;
    this.profile = env.profile;
  }

  finish(): Transition {
    const i = this.instance;
    i.wakeAt = wakeTime(i);
    return { instance: i, effects: this.effects };
  }

  onTimer(): void {
    const i = this.instance;
    const now = this.env.now;
    if (i.status === 'exited') return;
    if (i.timeoutAt !== null && i.timeoutAt <= now) return this.exit('timeout');
    if (i.nodeUntil === null || i.nodeUntil > now) return; // an early or stale wake-up: nothing is due
    this.base = i.nodeUntil;
    if (i.status === 'pending') return this.qualify();
    if (i.status === 'active') this.resumeAt(i.nodeId!);
  }

  onEvent(event: JourneyEvent): void {
    const i = this.instance;
    if (i.status === 'exited' || event.timestamp < i.createdAt) return;
    if (i.status === 'pending') return this.whilePending(event);
    this.checkGoal(event);
    if (i.status === 'active') this.checkWait(event);
  }

  /** An event for a user whose inaction window is open, or closed with the engine not yet caught up. */
  private whilePending(event: JourneyEvent): void {
    const i = this.instance;
    const trigger = this.journey.entry.trigger;
    const deadline = i.nodeUntil!;
    if (event.timestamp <= deadline) {
      if (trigger.type === 'inaction' && breaksInaction(trigger, event, i.entryEvent.properties)) this.exit('not_qualified');
      return;
    }
    // The window had closed before this event happened, so the user qualified then. A goal now exits them
    // at once as a conversion, before any of the path's messages: those were due while the engine was behind,
    // and a user who has converted gets none. Any other event waits for the timer to qualify them.
    if (!this.journey.goals.some((g) => goalMatches(g, event, deadline))) return;
    this.base = deadline;
    this.qualify(false);
    this.checkGoal(event);
    if (i.status === 'active') this.walkFrom(this.journey.entry.id); // a count-only goal: the path goes on
  }

  private checkGoal(event: JourneyEvent): void {
    const i = this.instance;
    if (i.convertedAt !== null) return; // one conversion per instance
    const goal = this.journey.goals.find((g) => goalMatches(g, event, i.enteredAt));
    if (!goal) return;
    i.convertedAt = event.timestamp;
    if (i.status === 'control') {
      this.count('control_goal');
      this.exit('goal', goal.id, false);
      return;
    }
    this.count('goal');
    if (i.nodeId) this.count('node_goal', i.nodeId);
    if (goal.exitOnGoal) this.exit('goal', goal.id, false);
  }

  /**
   * A user waiting at a wait node goes down "yes" on a matching event inside the window: after the moment
   * they reached the node (an event at that very instant came before it, like an event before a timer in the
   * same millisecond) and up to the timeout instant included.
   */
  private checkWait(event: JourneyEvent): void {
    const i = this.instance;
    const node = i.nodeId === null ? undefined : this.journey.nodes.get(i.nodeId);
    if (node?.kind !== 'wait' || i.nodeUntil === null) return;
    const opened = i.nodeUntil - this.journey.waitMs.get(node.id)!;
    if (event.timestamp <= opened || event.timestamp > i.nodeUntil) return;
    if (!waitMatches(node, event, i.entryEvent.properties)) return;
    // Later waits are measured from when the user did it, not from when we heard of it.
    this.base = Math.min(event.timestamp, this.env.now);
    i.nodeUntil = null;
    this.walkFrom(this.next(node.id, YES));
  }

  /** The user is in: counted, assigned to the control group or not, and (unless told otherwise) started on the path. */
  qualify(walk = true): void {
    const i = this.instance;
    const now = this.base;
    this.count('qualified');
    i.enteredAt = now;
    const timeoutMs = this.journey.timeoutMs;
    if (bucketOf(i.journeyId, i.userId) < this.journey.controlGroupPercent) {
      i.status = 'control';
      i.nodeId = null;
      i.nodeUntil = null;
      i.timeoutAt = now + (timeoutMs ?? CONTROL_WINDOW_WITHOUT_TIMEOUT_MS);
      this.count('control');
      return;
    }
    i.status = 'active';
    i.timeoutAt = timeoutMs === null ? null : now + timeoutMs;
    this.count('entered');
    if (walk) this.walkFrom(this.journey.entry.id);
  }

  /** A wait at `nodeId` has ended. */
  private resumeAt(nodeId: string): void {
    const node = this.journey.nodes.get(nodeId)!;
    this.instance.nodeUntil = null;
    switch (node.kind) {
      case 'delay':
      case 'entry':
        return this.walkFrom(this.next(nodeId));
      case 'split':
      case 'abSplit':
      case 'updateProfile':
        return; // done on arrival; never waited at
      case 'send':
        return this.walkFrom(this.next(nodeId, this.send(node.id, node.channel) ? NEXT : this.unreachable(nodeId)));
      case 'wait':
        return this.walkFrom(this.next(nodeId, TIMEOUT)); // the window closed with no matching event
      case 'exit':
        return this.exit('completed');
      default:
        assertNever(node);
    }
  }

  /** Enter `nodeId` and keep going until the user has to wait or leaves. */
  private walkFrom(start: string | null): void {
    let nodeId = start;
    while (nodeId !== null) {
      const node = this.journey.nodes.get(nodeId)!;
      const i = this.instance;
      i.nodeId = nodeId;
      i.nodeUntil = null;
      if (node.kind !== 'entry') {
        i.step += 1;
        this.count('node_entered', nodeId);
      }
      let branch = NEXT;
      switch (node.kind) {
        case 'entry':
          break;
        case 'split':
          branch = this.splitHolds(node.id, node.where) ? YES : NO;
          break;
        case 'abSplit':
          branch = pickVariant(node.variants, bucketOf(i.journeyId, i.userId, node.id));
          break;
        case 'updateProfile':
          this.effects.push({ type: 'profile', nodeId: node.id, set: node.set });
          this.profile = { userId: i.userId, traits: mergeTraits(this.profile?.traits ?? {}, node.set) };
          break;
        case 'send': {
          const allowedAt = this.allowedSendTime();
          if (allowedAt === null) {
            this.skip(node.id, node.channel, 'dnd');
            branch = this.unreachable(nodeId);
          } else if (allowedAt > this.env.now) {
            i.nodeUntil = allowedAt; // deferred past DND hours; the send happens on the timer
            return;
          } else if (!this.send(node.id, node.channel)) {
            branch = this.unreachable(nodeId);
          }
          break;
        }
        case 'delay': {
          const until = this.delayEnd(node.id);
          if (until === null) {
            // A date that is missing or already past: the "missed" branch, or out of the journey.
            this.count('node_missed', nodeId);
            if (this.next(nodeId, MISSED) === null) return this.exit('completed');
            branch = MISSED;
            break;
          }
          if (until > this.env.now) {
            i.nodeUntil = until;
            return;
          }
          this.base = until; // due already (a 10:00 reached at 10:00 exactly, or a late engine): go on
          break;
        }
        case 'wait':
          // The window opens now (at `base`) and is recovered later as nodeUntil - timeout.
          i.nodeUntil = this.base + this.journey.waitMs.get(node.id)!;
          return;
        case 'exit':
          return this.exit('completed');
        default:
          assertNever(node);
      }
      nodeId = this.next(nodeId, branch);
    }
    this.exit('completed'); // validation forbids dead ends, but never leave a user stranded
  }

  private splitHolds(nodeId: string, where: readonly Filter[] | undefined): boolean {
    const traits = this.profile?.traits ?? {};
    const condition = this.journey.conditions.get(nodeId);
    if (!condition) return matchesAll(where, traits);
    return condition({ now: this.env.now, traits, events: this.env.events ?? [], messages: this.outcomes() });
  }

  private outcomes(): MessageRecord[] {
    const stored = this.env.messages ?? [];
    const covered = new Set(stored.map((m) => m.nodeId));
    return [...stored, ...(this.instance.outcomes ?? []).filter((o) => !covered.has(o.nodeId))];
  }

  /** When a delay at `nodeId`, entered at `base`, ends; null when a date property gives no future moment. */
  private delayEnd(nodeId: string): number | null {
    const plan = this.journey.delays.get(nodeId)!;
    switch (plan.type) {
      case 'duration':
        return this.base + plan.ms;
      case 'time':
        return nextClockTime(this.base, plan.time, this.zone(plan.zone), plan.days);
      case 'date': {
        const at = dateMoment(this.profile?.traits[plan.property], this.zone(plan.zone), plan);
        return at === null || at < this.base ? null : at;
      }
      default:
        return assertNever(plan);
    }
  }

  private zone(choice: 'user' | 'journey'): string {
    const journeyZone = this.journey.timezone ?? this.env.projectTimezone ?? 'UTC';
    return zoneFor(this.profile?.traits, choice, journeyZone);
  }

  /** The way out of a send node whose message was not sent: "unreachable" when drawn, else on as usual. */
  private unreachable(nodeId: string): string {
    return this.next(nodeId, UNREACHABLE) === null ? NEXT : UNREACHABLE;
  }

  private next(nodeId: string, branch: string = NEXT): string | null {
    return this.journey.next.get(nodeId)?.get(branch) ?? null;
  }

  /** When the current send may happen: now, later (DND with defer), or never (DND with skip). Judged at the actual moment of sending. */
  private allowedSendTime(): number | null {
    const dnd = this.journey.dnd;
    const now = this.env.now;
    if (!dnd) return now;
    const allowed = firstAllowedMoment(now, dnd.windows, this.zone(dnd.zone));
    if (allowed === now) return now;
    return dnd.whenInDnd === 'defer' ? allowed : null;
  }

  /** Sends, or records why not (skipped, or failed to render); true when the message went to the outbox. */
  private send(nodeId: string, channel: Channel): boolean {
    const sendId = `${this.instance.id}:${nodeId}:${this.instance.step}`;
    const missing = missingAddress(channel, this.profile);
    if (missing) {
      this.skip(nodeId, channel, missing);
      return false;
    }
    if (!this.journey.ignoreFrequencyCaps && capped(this.env.caps, channel, this.env.now, this.sentThisStep)) {
      this.skip(nodeId, channel, 'frequency_cap');
      return false;
    }
    const rendered = this.render(nodeId);
    if (rendered && !rendered.ok) {
      // One user's template failing (a runaway loop, a bad value) fails this message only: the failure path.
      this.effects.push({ type: 'fail', sendId, nodeId, channel, reason: 'render_failed', detail: rendered.error });
      this.record(nodeId, 'failed');
      return false;
    }
    this.effects.push(rendered ? { type: 'send', sendId, nodeId, channel, content: rendered.content } : { type: 'send', sendId, nodeId, channel });
    this.sentThisStep.push({ channel, at: this.env.now });
    this.record(nodeId, 'sent');
    return true;
  }

  private render(nodeId: string): RenderResult | null {
    const node = this.journey.nodes.get(nodeId);
    if (!this.env.render || node?.kind !== 'send') return null;
    return this.env.render(node.message, this.profile, this.instance.entryEvent);
  }

  /** What became of this instance's messages, for splits on message outcome. */
  private record(nodeId: string, outcome: 'sent' | 'unreachable' | 'failed'): void {
    if (!this.journey.readsOutcomes) return; // kept only for splits that read it: the instance row stays small
    const i = this.instance;
    const now = this.env.now;
    i.outcomes = [...(i.outcomes ?? []), outcome === 'failed' ? { nodeId, outcome, at: now, sentAt: now } : { nodeId, outcome, at: now }];
  }

  private skip(nodeId: string, channel: Channel, reason: SkipReason): void {
    const sendId = `${this.instance.id}:${nodeId}:${this.instance.step}`;
    this.effects.push({ type: 'skip', sendId, nodeId, channel, reason });
    this.count('node_skipped', nodeId);
    this.record(nodeId, 'unreachable');
  }

  private exit(reason: ExitReason, goalId?: string, countReason = true): void {
    const i = this.instance;
    if (i.status === 'exited') return;
    if (countReason) this.count(EXIT_METRIC[reason]);
    i.exit = { reason, at: this.env.now, nodeId: i.nodeId, ...(goalId ? { goalId } : {}) };
    i.status = 'exited';
    i.nodeUntil = null;
  }

  private count(metric: JourneyMetric, nodeId?: string): void {
    this.effects.push(nodeId === undefined ? { type: 'count', metric } : { type: 'count', metric, nodeId });
  }
}

const EXIT_METRIC: Record<ExitReason, JourneyMetric> = {
  not_qualified: 'not_qualified',
  goal: 'goal',
  timeout: 'timed_out',
  completed: 'completed',
  stopped: 'stopped',
};

function wakeTime(i: Instance): number | null {
  switch (i.status) {
    case 'exited':
      return null;
    case 'pending':
      return i.nodeUntil;
    case 'control':
      return i.timeoutAt;
    case 'active':
      if (i.nodeUntil === null) return i.timeoutAt;
      return i.timeoutAt === null ? i.nodeUntil : Math.min(i.nodeUntil, i.timeoutAt);
    default:
      return assertNever(i.status);
  }
}

const ADDRESS_TRAIT: Record<Channel, [string, SkipReason] | null> = {
  push: ['pushToken', 'no_push_token'],
  sms: ['phone', 'no_phone'],
  email: ['email', 'no_email'],
  webhook: null,
};

function missingAddress(channel: Channel, profile: ProfileView | null): SkipReason | null {
  const need = ADDRESS_TRAIT[channel];
  if (!need) return null;
  const value = profile?.traits[need[0]];
  return typeof value === 'string' && value.length > 0 ? null : need[1];
}

function goalMatches(goal: CompiledGoal, event: JourneyEvent, enteredAt: number | null): boolean {
  if (event.name !== goal.event || !matchesAll(goal.where, event.properties)) return false;
  // The window is closed at its end instant included, like a wait's timeout.
  return goal.withinMs === null || (enteredAt !== null && event.timestamp <= enteredAt + goal.withinMs);
}

/** Variants own consecutive bucket ranges in definition order: 50/50 is buckets 0-49 and 50-99. */
function pickVariant(variants: ReadonlyArray<{ name: string; percent: number }>, bucket: number): string {
  let upTo = 0;
  for (const v of variants) {
    upTo += v.percent;
    if (bucket < upTo) return v.name;
  }
  return variants[variants.length - 1]!.name; // unreachable when percentages add up to 100
}

function waitMatches(node: Extract<JourneyNode, { kind: 'wait' }>, event: JourneyEvent, entry: Record<string, unknown>): boolean {
  return event.name === node.event && matchesAll(node.where, event.properties) && sharesWithEntry(node.sameAs, event, entry);
}

/** The inaction's negative event: `notEvent`, matching `notWhere`, about the same thing as the entry event. */
function breaksInaction(trigger: Extract<Trigger, { type: 'inaction' }>, event: JourneyEvent, entry: Record<string, unknown>): boolean {
  return event.name === trigger.notEvent && matchesAll(trigger.notWhere, event.properties) && sharesWithEntry(trigger.sameAs, event, entry);
}

/** A property the entry event lacks matches nothing: "the same cart" needs a cart to compare with. */
function sharesWithEntry(sameAs: readonly string[] | undefined, event: JourneyEvent, entry: Record<string, unknown>): boolean {
  return (sameAs ?? []).every((p) => entry[p] !== undefined && entry[p] !== null && event.properties[p] === entry[p]);
}

export { assertNever };
