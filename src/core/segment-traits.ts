/**
 * What a profile's traits alone decide about a segment condition: true or false whatever the user's events,
 * or undefined when the events decide. A scheduled run loads events only for the users its traits leave
 * undecided: a segment of "plan is pro or business, and viewed a product 3 times in 7 days" reads the events
 * of the 30% of profiles on those plans, not of every profile (bench/RESULTS.md).
 *
 * Three-valued (Kleene) logic: an event or message leaf is unknown; `all` is false once a part is false,
 * `any` true once a part is true, `not` flips a decided part. A decided answer is the answer `compileCondition`
 * gives for every possible set of events.
 */
import { assertNever } from './never.ts';
import { matchesAll } from './filters.ts';
import type { Condition } from './segment-schema.ts';

export type TraitsDecide = (traits: Record<string, unknown>) => boolean | undefined;

export function compileTraitsDecide(condition: Condition): TraitsDecide {
  switch (condition.type) {
    case 'profile': {
      const where = condition.where;
      return (traits) => matchesAll(where, traits);
    }
    case 'event':
    case 'message':
      return () => undefined;
    case 'all':
    case 'any': {
      const parts = condition.of.map(compileTraitsDecide);
      // One false part decides `all`, one true part decides `any`; else any unknown part leaves it unknown.
      const decisive = condition.type === 'any';
      return (traits) => {
        let answer: boolean | undefined = !decisive;
        for (const part of parts) {
          const decided = part(traits);
          if (decided === decisive) return decisive;
          if (decided === undefined) answer = undefined;
        }
        return answer;
      };
    }
    case 'not': {
      const inner = compileTraitsDecide(condition.of);
      return (traits) => {
        const decided = inner(traits);
        return decided === undefined ? undefined : !decided;
      };
    }
    default:
      return assertNever(condition);
  }
}
