/**
 * The journey interpreter: a pure function of (journey, instance, input, now, profile) to (instance, effects).
 * No I/O and no reading of the system clock; the caller stores the new instance and carries out the effects
 * in one transaction.
 */
import { bucketOf } from './bucket.ts';
import { NEXT } from './branches.ts';
import type { Channel } from './channels.ts';
import type { CompiledGoal, CompiledJourney } from './compile.ts';
import type { Trigger } from './definition.ts';
import { matchesAll } from './filters.ts';
import type { Effect, ExitReason, Input, Instance, JourneyEvent, JourneyMetric, ProfileView, Transition } from './instance.ts';
import { zoneFor } from './local-time.ts';
import { assertNever } from './never.ts';
import { specOf } from './nodes/index.ts';
import { sharesWithEntry } from './nodes/wait.ts';
import type { MessageRecord } from './segment.ts';
import type { Decision, Env, Walk } from './step.ts';
import { mergeTraits } from './traits.ts';

export type { Env, CapContext } from './step.ts';
export { capped } from './nodes/send.ts';

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

/**
 * Deterministic: the journey, when the entry event happened, and its messageId. The time comes before the
 * messageId so that instances made together have ids that sort together, and so do their sends (a send's id
 * starts with its instance's): SDKs send random UUIDs, and an id that led with one put every new instance, and
 * every send a unit of timers made, on a page of its own in the stores' unique indexes. With the time first a
 * cart writes 11.1 pages instead of 13.0 (`bench/ingest-cost.ts`, shuffled ids). Nine base-36 digits of
 * milliseconds sort as numbers until the year 5188; the messageId keeps ids apart either way.
 */
export function instanceId(journeyId: string, entryMessageId: string, at: number): string {
  const ms = Math.min(Math.max(0, Math.floor(at)), ENTRY_TIME_LIMIT);
  return `${journeyId}:${ms.toString(36).padStart(9, '0')}:${entryMessageId}`;
}

/** The largest time nine base-36 digits hold. */
const ENTRY_TIME_LIMIT = 36 ** 9 - 1;

export function startInstance(journey: CompiledJourney, journeyId: string, version: number, event: JourneyEvent, env: Env): Transition {
  const instance: Instance = {
    id: instanceId(journeyId, event.messageId, event.timestamp),
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

/** One interpreter step over a copy of the instance, collecting effects: the run loop and its timing. */
class Run implements Walk {
  private readonly effects: Effect[] = [];
  /**
   * The moment later waits are measured from: the time a step was due, not when the engine got to it, so
   * lateness (a busy engine, a restart) does not accumulate along the journey.
   */
  base: number;
  profile: ProfileView | null;
  readonly sentThisStep: Array<{ channel: Channel; at: number }> = [];

  constructor(
    readonly journey: CompiledJourney,
    readonly instance: Instance,
    readonly env: Env,
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
    if (i.status === 'active') this.atNode(event);
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

  /** An event for a user waiting at a node: the node's kind says whether it moves them. */
  private atNode(event: JourneyEvent): void {
    const i = this.instance;
    const node = i.nodeId === null ? undefined : this.journey.nodes.get(i.nodeId);
    if (!node || i.nodeUntil === null) return;
    const spec = specOf(node);
    const decision = spec.onEvent?.(node, event, this, this.journey.plans.get(node.id)) ?? null;
    if (decision === null) return;
    i.nodeUntil = null;
    const next = this.follow(node.id, decision);
    if (next !== undefined) this.walkFrom(next);
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

  /** The wait at `nodeId` has ended. Kinds that never wait have no resume: nothing to do. */
  private resumeAt(nodeId: string): void {
    const node = this.journey.nodes.get(nodeId)!;
    this.instance.nodeUntil = null;
    const spec = specOf(node);
    if (!spec.resume) return;
    const next = this.follow(nodeId, spec.resume(node, this, this.journey.plans.get(nodeId)));
    if (next !== undefined) this.walkFrom(next);
  }

  /** Enter `nodeId` and keep going until the user has to wait or leaves. */
  private walkFrom(start: string): void {
    let nodeId = start;
    for (;;) {
      const node = this.journey.nodes.get(nodeId)!;
      const i = this.instance;
      i.nodeId = nodeId;
      i.nodeUntil = null;
      if (node.kind !== 'entry') {
        i.step += 1;
        this.count('node_entered', nodeId);
      }
      const next = this.follow(nodeId, specOf(node).arrive(node, this, this.journey.plans.get(nodeId)));
      if (next === undefined) return;
      nodeId = next;
    }
  }

  /** Carries out a node's decision: the next node to enter, or undefined when the walk stops here. */
  private follow(nodeId: string, decision: Decision): string | undefined {
    switch (decision.type) {
      case 'wait':
        this.instance.nodeUntil = decision.until;
        return undefined;
      case 'exit':
        this.exit('completed');
        return undefined;
      case 'go': {
        if (decision.from !== undefined) this.base = decision.from;
        const next = this.next(nodeId, decision.branch);
        if (next !== null) return next;
        this.exit('completed'); // validation forbids dead ends, but never leave a user stranded
        return undefined;
      }
      default:
        return assertNever(decision);
    }
  }

  has(nodeId: string, branch: string): boolean {
    return this.next(nodeId, branch) !== null;
  }

  private next(nodeId: string, branch: string = NEXT): string | null {
    return this.journey.next.get(nodeId)?.get(branch) ?? null;
  }

  zone(choice: 'user' | 'journey'): string {
    const journeyZone = this.journey.timezone ?? this.env.projectTimezone ?? 'UTC';
    return zoneFor(this.profile?.traits, choice, journeyZone);
  }

  emit(effect: Effect): void {
    this.effects.push(effect);
  }

  updateProfile(nodeId: string, set: Record<string, string | number | boolean | null>): void {
    this.effects.push({ type: 'profile', nodeId, set });
    this.profile = { userId: this.instance.userId, traits: mergeTraits(this.profile?.traits ?? {}, set) };
  }

  noteSent(channel: Channel): void {
    this.sentThisStep.push({ channel, at: this.env.now });
  }

  outcomes(): MessageRecord[] {
    const stored = this.env.messages ?? [];
    const covered = new Set(stored.map((m) => m.nodeId));
    return [...stored, ...(this.instance.outcomes ?? []).filter((o) => !covered.has(o.nodeId))];
  }

  /** What became of this instance's messages, for splits on message outcome. */
  record(nodeId: string, outcome: 'sent' | 'unreachable' | 'failed'): void {
    if (!this.journey.readsOutcomes) return; // kept only for splits that read it: the instance row stays small
    const i = this.instance;
    const now = this.env.now;
    i.outcomes = [...(i.outcomes ?? []), outcome === 'failed' ? { nodeId, outcome, at: now, sentAt: now } : { nodeId, outcome, at: now }];
  }

  private exit(reason: ExitReason, goalId?: string, countReason = true): void {
    const i = this.instance;
    if (i.status === 'exited') return;
    if (countReason) this.count(EXIT_METRIC[reason]);
    i.exit = { reason, at: this.env.now, nodeId: i.nodeId, ...(goalId ? { goalId } : {}) };
    i.status = 'exited';
    i.nodeUntil = null;
  }

  count(metric: JourneyMetric, nodeId?: string): void {
    this.effects.push(nodeId === undefined ? { type: 'count', metric } : { type: 'count', metric, nodeId });
  }
}

const EXIT_METRIC: Record<ExitReason, JourneyMetric> = {
  not_qualified: 'not_qualified',
  goal: 'goal',
  timeout: 'timed_out',
  completed: 'completed',
  stopped: 'stopped',
  merged: 'merged',
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

function goalMatches(goal: CompiledGoal, event: JourneyEvent, enteredAt: number | null): boolean {
  if (event.name !== goal.event || !matchesAll(goal.where, event.properties)) return false;
  // The window is closed at its end instant included, like a wait's timeout.
  return goal.withinMs === null || (enteredAt !== null && event.timestamp <= enteredAt + goal.withinMs);
}

/** The inaction's negative event: `notEvent`, matching `notWhere`, about the same thing as the entry event. */
function breaksInaction(trigger: Extract<Trigger, { type: 'inaction' }>, event: JourneyEvent, entry: Record<string, unknown>): boolean {
  return event.name === trigger.notEvent && matchesAll(trigger.notWhere, event.properties) && sharesWithEntry(trigger.sameAs, event, entry);
}

export { assertNever };
