/** Paging and filtering helpers of the users and messages pages: what to ask for next, what to keep. */

/** The filters as a query: trimmed, the empty ones left out (the API reads a present but empty value as a filter). */
export function filterQuery<K extends string>(values: Partial<Record<K, string>>): Partial<Record<K, string>> {
  const query: Partial<Record<K, string>> = {};
  for (const [key, value] of Object.entries(values) as [K, string | undefined][]) {
    const trimmed = value?.trim();
    if (trimmed) query[key] = trimmed;
  }
  return query;
}

/**
 * A user's events come newest first with only a `limit` (at most `max`): "load more" asks again for `step`
 * more. Returns the next limit, or null when every event is shown (fewer came than asked) or `max` is reached.
 */
export function nextEventLimit(shown: number, limit: number, step: number, max: number): number | null {
  if (shown < limit || limit >= max) return null;
  return Math.min(limit + step, max);
}

/** `older` then the items of `newer` not already in it, by id: pages read at different moments may overlap. */
export function appendUnique<T>(older: T[], newer: T[], idOf: (item: T) => string): T[] {
  const seen = new Set(older.map(idOf));
  return [...older, ...newer.filter((item) => !seen.has(idOf(item)))];
}

/**
 * A user's journeys (instances, GET /journeys) each with its explanation (GET /explain), matched on the
 * instance id. Both list the same instances in the same order, a page at a time; an instance whose
 * explanation has not come yet gets null.
 */
export function withExplanations<I extends { id: string }, E extends { instanceId: string }>(instances: I[], explained: E[]): { instance: I; explained: E | null }[] {
  const byId = new Map(explained.map((e) => [e.instanceId, e]));
  return instances.map((instance) => ({ instance, explained: byId.get(instance.id) ?? null }));
}
