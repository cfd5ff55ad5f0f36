/**
 * Row to record mappers shared by the adapters. Column names are the same in both schemas; what differs is
 * how a JSON column arrives (text to parse on SQLite, already decoded on PostgreSQL), so each adapter binds
 * its own `json` decoder.
 */
import type { JourneyDefinition } from '../core/definition.ts';
import type { Instance, JourneyEvent } from '../core/instance.ts';
import type { InboxMessage, InstanceMessage, JourneyRecord, JourneyStatus, Message, MessageContent, MessageStatus, Profile, StoredEvent, CopyLogEntry } from './store.ts';

export type Row = Record<string, unknown>;
type Json = (value: unknown) => unknown;

export function rowMappers(json: Json) {
  const jsonOrNull = (value: unknown) => (value === null || value === undefined ? null : json(value));
  const journeyEvent = (row: Row): JourneyEvent => ({
    messageId: row.message_id as string,
    userId: row.user_id as string,
    name: row.name as string,
    timestamp: row.ts as number,
    properties: json(row.properties) as Record<string, unknown>,
  });
  return {
    profile: (row: Row): Profile => ({ userId: row.user_id as string, traits: json(row.traits) as Record<string, unknown>, updatedAt: row.updated_at as number }),
    event: (row: Row): StoredEvent => ({ ...journeyEvent(row), receivedAt: row.received_at as number }),
    journey: (row: Row): JourneyRecord => ({
      id: row.id as string,
      name: row.name as string,
      status: row.status as JourneyStatus,
      version: row.version as number | null,
      draft: json(row.draft) as JourneyDefinition,
      layout: json(row.layout) as JourneyRecord['layout'],
      createdAt: row.created_at as number,
      updatedAt: row.updated_at as number,
    }),
    message: (row: Row): Message => ({
      seq: row.seq as number,
      id: row.id as string,
      journeyId: row.journey_id as string,
      version: row.version as number,
      instanceId: row.instance_id as string,
      nodeId: row.node_id as string,
      userId: row.user_id as string,
      channel: row.channel as Message['channel'],
      status: row.status as Message['status'],
      reason: row.reason as string | null,
      content: jsonOrNull(row.content) as Message['content'],
      createdAt: row.created_at as number,
      sentAt: row.sent_at as number | null,
      attempts: row.attempts as number,
      claims: Number(row.claims ?? 0),
      sendingAt: row.sending_at === null || row.sending_at === undefined ? null : Number(row.sending_at),
      nextAttemptAt: row.status === 'pending' && Number(row.next_attempt_at ?? 0) > 0 ? Number(row.next_attempt_at) : null,
      // Rows from before providers were recorded: a sent one was the outbox's.
      provider: (row.provider as string | null | undefined) ?? (row.status === 'sent' ? 'outbox' : null),
      openedAt: (row.opened_at as number | null | undefined) ?? null,
      clickedAt: (row.clicked_at as number | null | undefined) ?? null,
    }),
    /** A message of the in-app inbox channel, as the app reads it. */
    inboxMessage: (row: Row): InboxMessage => {
      const content = (jsonOrNull(row.content) ?? { body: '' }) as MessageContent;
      return {
        id: row.id as string,
        journeyId: row.journey_id as string,
        nodeId: row.node_id as string,
        title: content.title ?? '',
        body: content.body,
        url: content.url ?? null,
        createdAt: Number(row.created_at),
        readAt: row.read_at === null || row.read_at === undefined ? null : Number(row.read_at),
        dismissedAt: row.dismissed_at === null || row.dismissed_at === undefined ? null : Number(row.dismissed_at),
      };
    },
    /** An inbox row (the event as given, no receivedAt: it is stored as received when drained). */
    inboxEvent: journeyEvent,
    /** What a split on message outcome reads of a message (UserContext.messages). */
    instanceMessage: (row: Row): InstanceMessage => ({
      nodeId: row.node_id as string,
      status: row.status as MessageStatus,
      createdAt: row.created_at as number,
      sentAt: row.sent_at as number | null,
      clickedAt: row.clicked_at as number | null,
    }),
  };
}

/** The instances.exited_at column: when an exited instance left (its exit.at), else null. */
export function exitedAt(instance: Instance): number | null {
  return instance.status === 'exited' ? (instance.exit?.at ?? null) : null;
}

/** Stands for "no lower bound" on a timestamp (ts >= it holds for every stored event). */
export const MIN_TIMESTAMP = Number.MIN_SAFE_INTEGER;

/** A copy log row, on either store (the request is JSON text on SQLite, decoded on PostgreSQL; seq a bigint there). */
export function copyLogEntryOf(r: Row): CopyLogEntry {
  return {
    seq: Number(r.seq),
    at: Number(r.at),
    outcome: r.outcome as string,
    model: r.model as string,
    request: typeof r.request === 'string' ? JSON.parse(r.request) : (r.request as Record<string, unknown>),
    response: (r.response as string | null) ?? null,
    detail: (r.detail as string | null) ?? null,
  };
}
