/** A tiny driver for the pure interpreter: events at their timestamps, timers in between, no store. */
import type { Effect, Instance, JourneyEvent, ProfileView } from '../../src/core/instance.ts';
import { advance, startInstance, type Env } from '../../src/core/interpreter.ts';
import { compileJourney, type CompiledJourney } from '../../src/core/validate.ts';

export function compile(definition: unknown): CompiledJourney {
  const result = compileJourney(definition);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.journey;
}

export const who: ProfileView = { userId: 'u', traits: { email: 'u@x.test', pushToken: 'tok', phone: '+1555' } };
let seq = 0;
export const ev = (name: string, timestamp: number, properties: Record<string, unknown> = {}): JourneyEvent => ({ messageId: `m${++seq}`, userId: 'u', name, timestamp, properties });

/** Feeds events at their timestamps and fires timers in between (events first at a tie). */
/** `extra`: what else the engine would put in every step's Env (event history, frequency caps). */
export function drive(journey: CompiledJourney, entry: JourneyEvent, inputs: Array<JourneyEvent | { timerAt: number }>, until: number, profile = who, extra: Omit<Env, 'now' | 'profile'> = {}) {
  const log: Array<[number, Effect]> = [];
  let t = startInstance(journey, 'j', 1, entry, { now: entry.timestamp, profile, ...extra });
  for (const e of t.effects) log.push([entry.timestamp, e]);
  let instance: Instance = t.instance;
  const fireUntil = (limit: number, inclusive: boolean) => {
    while (instance.wakeAt !== null && (inclusive ? instance.wakeAt <= limit : instance.wakeAt < limit)) {
      const at = instance.wakeAt;
      t = advance(journey, instance, { type: 'timer' }, { now: at, profile, ...extra });
      for (const e of t.effects) log.push([at, e]);
      instance = t.instance;
    }
  };
  for (const input of inputs) {
    if ('timerAt' in input) {
      fireUntil(input.timerAt, true);
      continue;
    }
    fireUntil(input.timestamp, false);
    t = advance(journey, instance, { type: 'event', event: input }, { now: input.timestamp, profile, ...extra });
    for (const e of t.effects) log.push([input.timestamp, e]);
    instance = t.instance;
  }
  fireUntil(until, true);
  return { instance, log, sent: log.flatMap(([at, e]) => (e.type === 'send' ? [[at - entry.timestamp, e.nodeId] as const] : [])) };
}

