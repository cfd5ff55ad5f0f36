/** Durations in definitions are short strings a person can read: "500ms", "90s", "2m", "2h", "1d". */
/** Zero is refused: a wait of nothing is no wait, and a loop through it would never let time pass. */
export const DURATION_PATTERN = '^[1-9][0-9]*(ms|s|m|h|d)$';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export function parseDuration(text: string): number {
  const match = /^([1-9][0-9]*)(ms|s|m|h|d)$/.exec(text);
  if (!match) throw new Error(`not a duration: "${text}" (expected e.g. "90s", "2h", "1d")`);
  return Number(match[1]) * UNIT_MS[match[2]!]!;
}
