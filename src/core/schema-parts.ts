/**
 * Schema pieces shared by the journey definition and the node kinds (src/core/nodes): ids, names, durations,
 * clock times, templates, filters. A leaf module, so node modules and definition.ts can both import it.
 */
import Type from 'typebox';
import { CLOCK_TIME_PATTERN } from './local-time.ts';
import { Duration, Filter, type Condition } from './segment-schema.ts';

export const Id = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$', description: 'Unique within the journey' });
export const EventName = Type.String({ minLength: 1, maxLength: 200 });
export { Duration, Filter };
export const ClockTime = Type.String({ pattern: CLOCK_TIME_PATTERN, description: 'Local wall-clock time, "HH:MM"' });
export const Weekday = Type.Union([Type.Literal('mon'), Type.Literal('tue'), Type.Literal('wed'), Type.Literal('thu'), Type.Literal('fri'), Type.Literal('sat'), Type.Literal('sun')]);
export const Weekdays = Type.Array(Weekday, { minItems: 1, maxItems: 7, uniqueItems: true, description: 'Days of the week, e.g. ["mon", "tue"]' });
export const Timestamp = Type.String({ format: 'date-time', description: 'ISO 8601 date-time with an offset, e.g. "2026-12-01T09:00:00Z"' });
export const ZoneChoice = Type.Union([Type.Literal('user'), Type.Literal('journey')], {
  default: 'user',
  description: "'user': the profile's `timezone` trait, falling back to the journey's; 'journey': always the journey's",
});
export const Template = Type.String({ maxLength: 100_000, description: 'Liquid template over Profile and Event' });

export const Filters = Type.Array(Filter, { maxItems: 50, description: 'All must hold (AND)' });
export const SameAs = Type.Array(Type.String({ minLength: 1, maxLength: 200 }), {
  maxItems: 10,
  description: "Properties the event must share with the journey's entry event (e.g. the same cartId)",
});

/** A segment condition (docs/journeys.md, "Segments"); checked in full by validation, kept loose here so the schema stays small. */
export const SegmentCondition = Type.Unsafe<Condition>(
  Type.Object(
    { type: Type.Union([Type.Literal('profile'), Type.Literal('event'), Type.Literal('message'), Type.Literal('all'), Type.Literal('any'), Type.Literal('not')]) },
    { additionalProperties: true, description: 'A segment condition: profile, event (did / did not, counts, windows), message outcome, or an all/any/not group' },
  ),
);

