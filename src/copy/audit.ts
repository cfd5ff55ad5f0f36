/**
 * The copy assistant's audit log: every call to the model, what was sent (the messages, model and
 * parameters: the key is never part of a request) and what came back, with the outcome. Pruned as entries are
 * added, so it cannot grow without bound: the newest KEEP_ENTRIES, none older than KEEP_DAYS.
 */
import type { Store } from '../store/store.ts';
import type { ChatRequest } from './client.ts';

export const KEEP_ENTRIES = 1_000;
export const KEEP_DAYS = 90;
/** The most of a raw answer kept: enough to audit, bounded like everything the log keeps. */
export const MAX_LOGGED_RESPONSE = 64_000;

const DAY = 86_400_000;

export async function logCall(store: Store, now: number, request: ChatRequest, outcome: string, response: string | null, detail: string | null): Promise<void> {
  await store.addCopyLog(
    { at: now, outcome, model: request.model, request: { ...request }, response: response === null ? null : response.slice(0, MAX_LOGGED_RESPONSE), detail },
    { max: KEEP_ENTRIES, since: now - KEEP_DAYS * DAY },
  );
}
