/**
 * What this process's engine has done since it started, for GET /metrics: messages by channel and status as
 * its units of work wrote them (queued, sent by the outbox, skipped, failed to render) and as its dispatcher
 * recorded their outcomes (sent, failed, retry, dead), senders that threw, and errors of its background work.
 * Plain counts, so that the engine's thread can hand a copy to the main thread (structured clone).
 */
import type { Channel } from '../core/channels.ts';
import type { NewMessage, RecordedOutcome } from '../store/store.ts';

export interface EngineCounts {
  /** status: queued, sent, skipped, failed (units of work) and sent, failed, retry, dead (dispatcher). */
  messages: Array<{ channel: string; status: string; count: number }>;
  /** Sends whose sender threw (the whole batch is then retried). */
  senderErrors: Array<{ channel: string; count: number }>;
  /** Failures of background work, by where (timers, dispatch, inbox, journeys, ...). */
  errors: Array<{ where: string; count: number }>;
  /** Instances advanced by due timers. */
  timersFired: number;
}

const add = <K>(map: Map<K, number>, key: K, n = 1) => map.set(key, (map.get(key) ?? 0) + n);

export class EngineCounters {
  private readonly messages = new Map<string, number>();
  private readonly senderErrors = new Map<string, number>();
  private readonly errors = new Map<string, number>();
  private timersFired = 0;

  /** The messages a committed unit of work wrote; 'pending' ones are queued for the dispatcher. */
  committed(messages: readonly NewMessage[]): void {
    for (const m of messages) add(this.messages, `${m.channel}\u0000${m.status === 'pending' ? 'queued' : m.status}`);
  }

  dispatched(channel: Channel, outcomes: readonly RecordedOutcome[], senderThrew: boolean): void {
    for (const o of outcomes) add(this.messages, `${channel}\u0000${o.status}`);
    if (senderThrew) add(this.senderErrors, channel);
  }

  fired(instances: number): void {
    this.timersFired += instances;
  }

  error(where: string): void {
    add(this.errors, where);
  }

  snapshot(): EngineCounts {
    return {
      messages: [...this.messages].map(([key, count]) => {
        const [channel = '', status = ''] = key.split('\u0000');
        return { channel, status, count };
      }),
      senderErrors: [...this.senderErrors].map(([channel, count]) => ({ channel, count })),
      errors: [...this.errors].map(([where, count]) => ({ where, count })),
      timersFired: this.timersFired,
    };
  }
}
