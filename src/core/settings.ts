/**
 * Project settings: what applies across journeys. One schema for validation, types and the API docs.
 */
import Type, { type Static } from 'typebox';
import { Compile } from 'typebox/compile';
import { FrequencyCap } from './definition.ts';
import { parseDuration } from './duration.ts';
import { isValidTimeZone } from './local-time.ts';
import type { CapContext } from './interpreter.ts';

export const ProjectSettings = Type.Object(
  {
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

const check = Compile(ProjectSettings);

export type Problem = { path: string; message: string };

export function settingsProblems(input: unknown): Problem[] {
  if (check.Check(input)) return [];
  return [...check.Errors(input)].map((e) => ({ path: e.instancePath || '/', message: e.message }));
}

/** The caps as the interpreter takes them; settings stored by an older version may lack any field. */
export function capRules(settings: Record<string, unknown>): CapContext['rules'] {
  const caps = (settings as ProjectSettings).frequencyCaps ?? [];
  return caps.map((c) => ({ max: c.max, perMs: parseDuration(c.per), ...(c.channel ? { channel: c.channel } : {}) }));
}

