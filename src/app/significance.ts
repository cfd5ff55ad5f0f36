/**
 * Is the journey's conversion rate different from the control group's, or could chance explain the gap? The
 * two-proportion z-test, pure arithmetic: the stats view calls it with the totals it has counted.
 */

export interface Significance {
  /** (target rate - control rate) / the standard error under "no difference" (the pooled rate); positive when the target converts better. */
  z: number;
  /** Two-sided: the chance of a gap at least this large either way if the journey made no difference. */
  pValue: number;
  /** pValue < 0.05, judged before rounding. */
  significant: boolean;
}

export const SIGNIFICANCE_LEVEL = 0.05;

/**
 * Null when it cannot be computed: a group with no users, or a pooled rate of 0 or 1 (nobody or everybody
 * converted, so there is no variance to measure the gap against). z is rounded to 4 decimals, pValue to 4
 * significant digits.
 */
export function twoProportionZTest(target: { users: number; converted: number }, control: { users: number; converted: number }): Significance | null {
  const n1 = target.users;
  const n2 = control.users;
  if (n1 <= 0 || n2 <= 0) return null;
  const pooled = (target.converted + control.converted) / (n1 + n2);
  if (pooled <= 0 || pooled >= 1) return null;
  const standardError = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  const z = (target.converted / n1 - control.converted / n2) / standardError;
  const pValue = twoSidedP(z);
  return { z: Math.round(z * 10_000) / 10_000, pValue: Number(pValue.toPrecision(4)), significant: pValue < SIGNIFICANCE_LEVEL };
}

/** P(|Z| >= |z|) for a standard normal Z: erfc(|z| / sqrt 2). */
export function twoSidedP(z: number): number {
  return Math.min(1, erfc(Math.abs(z) / Math.SQRT2));
}

/**
 * The complementary error function, for x >= 0, by the Chebyshev fit of Numerical Recipes (2nd ed., 6.2,
 * `erfcc`): fractional error under 1.2e-7 everywhere, far finer than the 4 digits reported.
 */
export function erfc(x: number): number {
  const t = 1 / (1 + 0.5 * x);
  const poly =
    -1.26551223 +
    t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  return t * Math.exp(-x * x + poly);
}
