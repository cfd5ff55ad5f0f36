/**
 * The catalog's bounded samples, shared by the adapters. Each reads `limit + 1` rows in sample order with a
 * running total of their stored size, and hands over the JSON only of rows that start within the byte
 * budget (a prefix: the total only grows); the sample is that prefix, cut at `limit`.
 */
import type { Sample } from './store.ts';

/** `value` is null for a row past the budget; `more` says the store holds rows the sample left out. */
export function sampleOf<T>(values: Array<T | null>, limit: number): Sample<T> {
  const items: T[] = [];
  for (const value of values) {
    if (value === null || items.length === limit) break;
    items.push(value);
  }
  return { items, more: values.length > items.length };
}
