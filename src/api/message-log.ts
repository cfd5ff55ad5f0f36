/** Reading the message log page by page, over what the Store offers. */
import type { Message, MessageQuery, Store } from '../store/store.ts';

/**
 * One page of the log and the cursor for the next. The Store filters by user or by journey, not both, so
 * with both this pages through the user's messages and keeps the journey's until the page is full.
 */
export async function messagePage(store: Store, query: MessageQuery): Promise<{ messages: Message[]; next: number }> {
  const after = query.after ?? 0;
  if (query.userId === undefined || query.journeyId === undefined) {
    const messages = await store.listMessages(query);
    return { messages, next: messages.at(-1)?.seq ?? after };
  }
  const messages: Message[] = [];
  let cursor = after;
  for (;;) {
    const chunk = await store.listMessages({ userId: query.userId, after: cursor, limit: query.limit });
    for (const m of chunk) {
      cursor = m.seq;
      if (m.journeyId !== query.journeyId) continue;
      messages.push(m);
      if (messages.length === query.limit) return { messages, next: cursor };
    }
    if (chunk.length < query.limit) return { messages, next: cursor };
  }
}
