import assert from 'node:assert/strict';
import { test } from 'node:test';
import { erfc, twoProportionZTest, twoSidedP } from '../../src/app/significance.ts';

/** Within `tolerance` of a value printed in a normal table (or by hand below). */
function near(actual: number, expected: number, tolerance: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual}, expected ${expected} (± ${tolerance})`);
}

test('two-sided p-values of the standard normal, against the table', () => {
  // P(|Z| >= z) from a standard normal table: 1 -> 0.31731, 1.96 -> 0.04999579 (the 5% critical value), 2 -> 0.04550026, 3 -> 0.00269980.
  near(twoSidedP(0), 1, 1e-9, 'z = 0');
  near(twoSidedP(1), 0.3173105, 1e-7, 'z = 1');
  near(twoSidedP(1.96), 0.0499958, 1e-7, 'z = 1.96');
  near(twoSidedP(-1.96), 0.0499958, 1e-7, 'z = -1.96');
  near(twoSidedP(2), 0.0455003, 1e-7, 'z = 2');
  near(twoSidedP(3), 0.0026998, 1e-8, 'z = 3');
  // erfc(2) = 0.004677734981 (Abramowitz and Stegun, table 7.1).
  near(erfc(2), 0.004677735, 1e-9, 'erfc(2)');
});

test('the z-test by hand: 30 of 50 against 20 of 50, a gap of two standard errors', () => {
  // Rates 0.6 and 0.4; pooled 50/100 = 0.5; SE = sqrt(0.5 * 0.5 * (1/50 + 1/50)) = sqrt(0.01) = 0.1; z = 0.2 / 0.1 = 2.
  // p = P(|Z| >= 2) = 0.0455 (table): significant at 5%.
  assert.deepEqual(twoProportionZTest({ users: 50, converted: 30 }, { users: 50, converted: 20 }), { z: 2, pValue: 0.0455, significant: true });
  // The other way round: the journey converts worse; z is negative, p the same.
  assert.deepEqual(twoProportionZTest({ users: 50, converted: 20 }, { users: 50, converted: 30 }), { z: -2, pValue: 0.0455, significant: true });
});

test('the z-test by hand: 27 of 50 against 23 of 50 is within chance', () => {
  // Pooled 0.5, SE 0.1 as above; z = (0.54 - 0.46) / 0.1 = 0.8; P(|Z| >= 0.8) = 2 * (1 - 0.78814) = 0.4237.
  assert.deepEqual(twoProportionZTest({ users: 50, converted: 27 }, { users: 50, converted: 23 }), { z: 0.8, pValue: 0.4237, significant: false });
});

test('the z-test by hand: 60 of 100 against 40 of 100', () => {
  // Pooled 0.5; SE = sqrt(0.25 * 0.02) = sqrt(0.005) = 0.0707107; z = 0.2 / 0.0707107 = 2 sqrt 2 = 2.8284;
  // p = erfc(2.8284 / sqrt 2) = erfc(2) = 0.004678.
  assert.deepEqual(twoProportionZTest({ users: 100, converted: 60 }, { users: 100, converted: 40 }), { z: 2.8284, pValue: 0.004678, significant: true });
});

test('the z-test by hand: unequal groups, 60 of 200 against 10 of 50', () => {
  // Rates 0.3 and 0.2; pooled 70/250 = 0.28; SE = sqrt(0.28 * 0.72 * (1/200 + 1/50)) = sqrt(0.2016 * 0.025) = sqrt(0.00504)
  // = 0.0709930; z = 0.1 / 0.0709930 = 1.4086; P(|Z| >= 1.4086) = 2 * (1 - 0.92052) = 0.1590.
  assert.deepEqual(twoProportionZTest({ users: 200, converted: 60 }, { users: 50, converted: 10 }), { z: 1.4086, pValue: 0.159, significant: false });
});

test('no test without two groups or without variance', () => {
  assert.equal(twoProportionZTest({ users: 0, converted: 0 }, { users: 10, converted: 2 }), null, 'nobody entered');
  assert.equal(twoProportionZTest({ users: 10, converted: 2 }, { users: 0, converted: 0 }), null, 'no control group');
  assert.equal(twoProportionZTest({ users: 10, converted: 0 }, { users: 10, converted: 0 }), null, 'pooled rate 0');
  assert.equal(twoProportionZTest({ users: 10, converted: 10 }, { users: 5, converted: 5 }), null, 'pooled rate 1');
});
