/**
 * What an open or a click of a message does (docs/channels.md, "Engagement tracking"): the store records the
 * first of each on the message and counts it on its node in one transaction, then the user gets an event
 * through the engine's ingest, so goals, waits and splits can use it. The event's messageId derives from the
 * message, so a repeat (a second open, a proxy fetching the pixel again) is a duplicate, not a second event;
 * sending it at every repeat makes a crash between the two steps heal at the next one.
 */
import type { EngineHandle } from '../engine/handle.ts';
import type { JourneyEvent } from '../core/instance.ts';
import type { Engagement, EngagementResult, Store } from '../store/store.ts';

export const MESSAGE_OPENED = 'Message Opened';
export const MESSAGE_CLICKED = 'Message Clicked';

/** The events an engagement gives its user: an open, and for a click the click too (a click is an open). */
export function engagementEvents(result: EngagementResult, kind: Engagement, url?: string): JourneyEvent[] {
  const m = result.message;
  const properties = { messageId: m.id, journeyId: m.journeyId, nodeId: m.nodeId, channel: m.channel };
  const opened: JourneyEvent = { messageId: `waymark:opened:${m.id}`, userId: m.userId, name: MESSAGE_OPENED, timestamp: result.openedAt, properties };
  if (kind === 'open' || result.clickedAt === null) return [opened];
  const clicked: JourneyEvent = {
    messageId: `waymark:clicked:${m.id}`,
    userId: m.userId,
    name: MESSAGE_CLICKED,
    timestamp: result.clickedAt,
    properties: { ...properties, ...(url === undefined ? {} : { url }) },
  };
  return [opened, clicked];
}

/** Records an open or a click of a message; false when there is no such message. */
export async function recordEngagement(store: Store, engine: EngineHandle, messageId: string, kind: Engagement, url?: string): Promise<boolean> {
  const result = await store.recordEngagement(messageId, kind, engine.clock.now());
  if (!result) return false;
  await engine.ingest(engagementEvents(result, kind, url));
  return true;
}
