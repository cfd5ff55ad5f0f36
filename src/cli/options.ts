/** Parsers for option values, failing with a message that names the option. */
import { InvalidArgumentError } from 'commander';
import { parseDuration } from '../core/duration.ts';

export function positiveInt(name: string, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1 || n > max) throw new InvalidArgumentError(`${name} must be a whole number from 1 to ${max}.`);
    return n;
  };
}

export function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65_535) throw new InvalidArgumentError('a port is a whole number from 0 to 65535.');
  return n;
}

export function isoInstant(value: string): string {
  if (Number.isNaN(Date.parse(value))) throw new InvalidArgumentError('expected an ISO 8601 date-time, e.g. 2026-01-01T00:00:00Z.');
  return value;
}

export function nonNegativeInt(name: string, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0 || n > max) throw new InvalidArgumentError(`${name} must be a whole number from 0 to ${max}.`);
    return n;
  };
}

/** A duration such as "90d" or "36h" (units ms, s, m, h, d), at least `min` (given as a duration too). */
export function durationAtLeast(name: string, min: string) {
  return (value: string): number => {
    let ms: number;
    try {
      ms = parseDuration(value);
    } catch {
      throw new InvalidArgumentError(`${name} must be a duration such as 90d or 36h (units ms, s, m, h, d).`);
    }
    if (ms < parseDuration(min)) throw new InvalidArgumentError(`${name} must be at least ${min}.`);
    return ms;
  };
}
