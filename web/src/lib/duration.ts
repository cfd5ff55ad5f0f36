/**
 * Durations as the forms show and take them. A definition holds "2h" (docs/journeys.md, "Durations": a
 * positive whole number and one of ms, s, m, h, d); people type "2 h", "2 hours", "90 min", "1 week" or
 * "1.5 h", and pick the unit from a list.
 */

export type DurationUnit = 'ms' | 's' | 'm' | 'h' | 'd';

/** The units a form offers, in the order people pick them most. */
export const DURATION_UNITS: { unit: DurationUnit; label: string }[] = [
  { unit: 'm', label: 'minutes' },
  { unit: 'h', label: 'hours' },
  { unit: 'd', label: 'days' },
  { unit: 's', label: 'seconds' },
  { unit: 'ms', label: 'milliseconds' },
];

const UNIT_MS: Record<DurationUnit, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** What people write for each unit; weeks become days, as the definition has no weeks. */
const ALIASES: Record<string, number> = {
  ms: 1, msec: 1, millisecond: 1, milliseconds: 1,
  s: 1_000, sec: 1_000, secs: 1_000, second: 1_000, seconds: 1_000,
  m: 60_000, min: 60_000, mins: 60_000, minute: 60_000, minutes: 60_000,
  h: 3_600_000, hr: 3_600_000, hrs: 3_600_000, hour: 3_600_000, hours: 3_600_000,
  d: 86_400_000, day: 86_400_000, days: 86_400_000,
  w: 604_800_000, wk: 604_800_000, week: 604_800_000, weeks: 604_800_000,
};

const DEFINITION = /^([1-9][0-9]*)(ms|s|m|h|d)$/;

/** Whether `text` is a duration as a definition holds it. */
export function isDuration(text: string): boolean {
  return DEFINITION.test(text);
}

/** The largest unit that expresses `ms` as a whole number: 5_400_000 → "90m", 7_200_000 → "2h". */
export function durationOfMs(ms: number): string | null {
  if (!Number.isSafeInteger(ms) || ms < 1) return null;
  for (const unit of ['d', 'h', 'm', 's', 'ms'] as const) if (ms % UNIT_MS[unit] === 0) return `${ms / UNIT_MS[unit]}${unit}`;
  return null;
}

/**
 * What someone typed, as a definition's duration: "2 h" → "2h", "1.5 hours" → "90m", "1 week" → "7d".
 * `unit` is the one a number without its own unit is in ("2" with hours picked → "2h"). Null when it is not
 * a positive duration of whole milliseconds.
 */
export function parseDurationText(text: string, unit?: DurationUnit): string | null {
  const match = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*([a-z]*)\s*$/i.exec(text);
  if (!match) return null;
  const perUnit = match[2] ? ALIASES[match[2].toLowerCase()] : unit ? UNIT_MS[unit] : undefined;
  if (perUnit === undefined) return null;
  const ms = Number(match[1]) * perUnit;
  return Number.isInteger(ms) ? durationOfMs(ms) : null;
}

/** A definition's duration split for a number box and a unit list: "90m" → { amount: "90", unit: "m" }. */
export function durationParts(duration: string | undefined): { amount: string; unit: DurationUnit } | null {
  const match = duration === undefined ? null : DEFINITION.exec(duration);
  return match ? { amount: match[1]!, unit: match[2] as DurationUnit } : null;
}

/** "2h" → "2 hours"; as given when it is not a duration. */
export function describeDuration(duration: string): string {
  const parts = durationParts(duration);
  if (!parts) return duration;
  const label = DURATION_UNITS.find((u) => u.unit === parts.unit)!.label;
  return `${parts.amount} ${parts.amount === '1' ? label.replace(/s$/, '') : label}`;
}
