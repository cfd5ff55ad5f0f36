/**
 * The differential property: every driver given a case produces exactly what the first one did, `simulate`
 * included (given the case's settings, and its events in arrival order, late ones and all). A failure is shrunk by fast-check and reported with its seed, its
 * path (to go straight to the shrunk case) and the case itself as JSON.
 */
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { caseArb, inTimeOrder, type DiffCase } from './arbitraries.ts';
import { run, type Driver, type Outcome } from './drivers.ts';

/** Where two outcomes first differ, in a few lines; null when they agree. */
export function difference(a: Outcome, b: Outcome): string | null {
  if ('refused' in a || 'refused' in b) return isDeepStrictEqual(a, b) ? null : `refusal: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`;
  const as = a.rows.map((r) => JSON.stringify(r));
  const bs = b.rows.map((r) => JSON.stringify(r));
  const onlyA = as.filter((r) => !bs.includes(r));
  const onlyB = bs.filter((r) => !as.includes(r));
  if (onlyA.length > 0 || onlyB.length > 0 || as.length !== bs.length) return `messages differ:\n  only in the first:\n    ${onlyA.join('\n    ')}\n  only in the second:\n    ${onlyB.join('\n    ')}`;
  if (a.failed !== b.failed) return `failed messages: ${a.failed} vs ${b.failed}`;
  if (!isDeepStrictEqual(a.stats, b.stats)) return `stats differ:\n  ${JSON.stringify(a.stats)}\n  ${JSON.stringify(b.stats)}`;
  return null;
}

/**
 * What the cases exercised, so a test can check that the generator still reaches what it is meant to (a
 * property over cases that never send anything would pass and prove nothing).
 */
export interface Tally {
  cases: number;
  refused: number;
  /** Cases `simulate` took part in. */
  simulated: number;
  outOfOrder: number;
  redelivered: number;
  /** Messages by "status reason", e.g. "skipped dnd". */
  messages: Record<string, number>;
  /** Cases whose stats count at least one of each. */
  withStat: Record<'goal' | 'control' | 'timedOut' | 'completed', number>;
}

export function emptyTally(): Tally {
  return { cases: 0, refused: 0, simulated: 0, outOfOrder: 0, redelivered: 0, messages: {}, withStat: { goal: 0, control: 0, timedOut: 0, completed: 0 } };
}

/** Runs the case through `drivers` (the first is the reference); throws naming the first pair that disagrees. */
export async function agree(c: DiffCase, drivers: readonly Driver[], tally: Tally = emptyTally()): Promise<void> {
  const [reference, ...others] = drivers;
  const expected = await run(reference!, c);
  for (const driver of others) {
    const found = difference(expected, await run(driver, c));
    if (found) throw new Error(`${reference} and ${driver} disagree: ${found}`);
  }
  tally.cases += 1;
  if (others.includes('simulate')) tally.simulated += 1;
  if (!inTimeOrder(c.events)) tally.outOfOrder += 1;
  if (new Set(c.events.map((e) => e.messageId)).size < c.events.length) tally.redelivered += 1;
  if ('refused' in expected) {
    tally.refused += 1;
    return;
  }
  for (const r of expected.rows) {
    const key = r.reason ? `${r.status} ${r.reason}` : r.status;
    tally.messages[key] = (tally.messages[key] ?? 0) + 1;
  }
  const t = expected.stats.totals;
  if (t.goal + t.controlGoal > 0) tally.withStat.goal += 1;
  if (t.control > 0) tally.withStat.control += 1;
  if (t.timedOut > 0) tally.withStat.timedOut += 1;
  if (t.completed > 0) tally.withStat.completed += 1;
}

export interface PropertyOptions {
  drivers: readonly Driver[];
  runs: number;
  seed?: number | undefined;
  path?: string | undefined;
  /** Called after each case (the soak's progress). */
  onCase?: () => void;
  /** Added to as cases pass (shrinking runs included). */
  tally?: Tally;
}

/** The replay settings from the environment: WAYMARK_DIFF_SEED, WAYMARK_DIFF_RUNS, WAYMARK_DIFF_PATH. */
export function replayFromEnv(defaultRuns: number): { runs: number; seed?: number; path?: string } {
  const env = process.env;
  return {
    runs: env.WAYMARK_DIFF_RUNS ? Number(env.WAYMARK_DIFF_RUNS) : defaultRuns,
    ...(env.WAYMARK_DIFF_SEED ? { seed: Number(env.WAYMARK_DIFF_SEED) } : {}),
    ...(env.WAYMARK_DIFF_PATH ? { path: env.WAYMARK_DIFF_PATH } : {}),
  };
}

/** Checks the property; on a disagreement, throws with the shrunk case and how to replay it. */
export async function checkProperty(options: PropertyOptions): Promise<void> {
  const property = fc.asyncProperty(caseArb, async (c) => {
    await agree(c, options.drivers, options.tally);
    options.onCase?.();
  });
  const details = await fc.check(property, {
    numRuns: options.runs,
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    ...(options.path !== undefined ? { path: options.path } : {}),
  });
  if (!details.failed) return;
  const shrunk = details.counterexample?.[0] as DiffCase | undefined;
  const error = details.errorInstance as Error | undefined;
  throw new Error(
    [
      `differential: ${error?.message ?? 'failed'}`,
      `seed ${details.seed}, path "${details.counterexamplePath}", after ${details.numRuns} case(s) and ${details.numShrinks} shrink(s)`,
      `replay: WAYMARK_DIFF_SEED=${details.seed} WAYMARK_DIFF_PATH=${details.counterexamplePath} WAYMARK_DIFF_RUNS=${options.runs} node --import tsx --test test/differential/differential.test.ts`,
      ...(shrunk ? describeCase(shrunk) : ['(no case)']),
    ].join('\n'),
  );
}

/** A case in lines a person can read: the journey, settings and profiles, then one event a line in arrival order. */
export function describeCase(c: DiffCase): string[] {
  return [
    `start ${new Date(c.start).toISOString()} (${c.start})`,
    `journey ${JSON.stringify(c.journey)}`,
    `settings ${JSON.stringify(c.settings)}`,
    ...c.profiles.map((p) => `profile ${JSON.stringify(p)}`),
    'events, in arrival order:',
    ...c.events.map((e) => `  ${new Date(e.timestamp).toISOString()} ${JSON.stringify(e)}`),
    `as JSON: ${JSON.stringify(c)}`,
  ];
}
