/**
 * Sends a batch with at most `limit` requests in flight: a provider answering in 100 ms takes 10 requests a second
 * on each, so throughput is `limit` x 10 (bench/delivery.ts measures it). Each provider's settings may set its
 * `concurrency` (1 to 1,000) to what the provider allows.
 */
export const MAX_CONCURRENCY = 1_000;

export async function inFlight<T, R>(items: readonly T[], limit: number, send: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  let next = 0;
  const worker = async () => {
    while (next < items.length) results.push(await send(items[next++]!));
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}
