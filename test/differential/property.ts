/**
 * The differential property: every driver given a case produces exactly what the first one did. `simulate`
 * takes no project settings and refuses events out of time order, so it joins only the cases it can run: no
 * frequency caps, events in time order. A failure is shrunk by fast-check and reported with its seed, its
 * path (to go straight to the shrunk case) and the case itself as JSON.
 */
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { caseArb, inTimeOrder, type DiffCase } from './arbitraries.ts';
import { run, type Driver, type Outcome } from './drivers.ts';

export function simulateCanRun(c: DiffCase): boolean {
  return (c.settings.frequencyCaps ?? []).length === 0 && inTimeOrder(c.events);
}

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

/** Runs the case through `drivers` (the first is the reference); throws naming the first pair that disagrees. */
export async function agree(c: DiffCase, drivers: readonly Driver[]): Promise<void> {
  const [reference, ...others] = drivers.filter((d) => d !== 'simulate' || simulateCanRun(c));
  const expected = await run(reference!, c);
  for (const driver of others) {
    const found = difference(expected, await run(driver, c));
    if (found) throw new Error(`${reference} and ${driver} disagree: ${found}`);
  }
}

export interface PropertyOptions {
  drivers: readonly Driver[];
  runs: number;
  seed?: number | undefined;
  path?: string | undefined;
  /** Called after each case (the soak's progress). */
  onCase?: () => void;
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
    await agree(c, options.drivers);
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
      `the case (start ${shrunk ? new Date(shrunk.start).toISOString() : '?'}):`,
      JSON.stringify(shrunk, null, 1),
    ].join('\n'),
  );
}
