/**
 * Project settings: what applies across journeys. One schema for validation, types and the API docs.
 */
import type { Problem } from './problem.ts';
import Type, { type Static } from 'typebox';
import { FrequencyCap } from './definition.ts';
import { parseDuration } from './duration.ts';
import { isValidTimeZone } from './local-time.ts';
import type { CapContext } from './interpreter.ts';

export const ProjectSettings = Type.Object(
  {
    timezone: Type.Optional(
      Type.String({ minLength: 1, maxLength: 64, description: "The project's IANA time zone: for journeys that name none, and for users without a valid one (default UTC)" }),
    ),
    frequencyCaps: Type.Optional(
      Type.Array(FrequencyCap, {
        maxItems: 20,
        description: 'Every cap applies to every send of every journey that does not opt out; a capped message is skipped (reason frequency_cap)',
      }),
    ),
  },
  { additionalProperties: false },
);
export type ProjectSettings = Static<typeof ProjectSettings>;

export type { Problem };

/** What the schema cannot say: that the time zone is a real one. */
export function settingsProblems(settings: ProjectSettings): Problem[] {
  return settings.timezone !== undefined && !isValidTimeZone(settings.timezone) ? [{ path: '/timezone', message: `unknown IANA time zone "${settings.timezone}"` }] : [];
}

export function projectTimezoneOf(settings: Record<string, unknown>): string {
  const zone = (settings as ProjectSettings).timezone;
  return typeof zone === 'string' && isValidTimeZone(zone) ? zone : 'UTC';
}

/** The caps as the interpreter takes them; settings stored by an older version may lack any field. */
export function capRules(settings: Record<string, unknown>): CapContext['rules'] {
  const caps = (settings as ProjectSettings).frequencyCaps ?? [];
  return caps.map((c) => ({ max: c.max, perMs: parseDuration(c.per), ...(c.channel ? { channel: c.channel } : {}) }));
}

