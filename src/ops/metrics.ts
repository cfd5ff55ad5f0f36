/**
 * The figures GET /metrics serves. This process's HTTP and ingest counters are kept here, on the thread that
 * serves HTTP; the engine's (messages sent, dispatcher and background errors) come from the engine, across
 * threads when it runs in its own (EngineHandle.counters); the queue depth comes from the store
 * (Store.queueDepth), so every process of a deployment reports the same backlog. What belongs to a project
 * (ingest, backlog, the engine's figures) carries its `project` label, one series per project open here.
 */
import type { EngineCounts } from '../engine/counters.ts';
import type { EngineHandle } from '../engine/handle.ts';
import type { IngestResult, QueueDepth } from '../store/store.ts';
import type { Family } from './prometheus.ts';

/** A project's figures at the time of a scrape. */
export interface ProjectFigures {
  project: string;
  /** Its engine's now (a virtual clock's in tests): the lag is measured from it. */
  now: number;
  depth: QueueDepth;
  engine: EngineCounts;
}

type IngestCounts = { received: number; accepted: number; duplicates: number; rejected: number };

export class ServerMetrics {
  private readonly ingest = new Map<string, IngestCounts>();
  private readonly requests = new Map<string, number>();

  /** Events that reached the engine of `project` and what became of them (null: the unit of work failed). */
  ingested(project: string, events: number, result: IngestResult | null): void {
    const counts = this.countsOf(project);
    counts.received += events;
    if (result) {
      counts.accepted += result.accepted;
      counts.duplicates += result.duplicates;
    }
  }

  /** Events of a request refused before they reached the engine (bad input, too large). */
  rejected(project: string, events: number): void {
    const counts = this.countsOf(project);
    counts.received += events;
    counts.rejected += events;
  }

  private countsOf(project: string): IngestCounts {
    let counts = this.ingest.get(project);
    if (!counts) this.ingest.set(project, (counts = { received: 0, accepted: 0, duplicates: 0, rejected: 0 }));
    return counts;
  }

  /** An answered request: the route's pattern (never the raw URL: bounded labels), its method and status class. */
  answered(route: string, method: string, status: number): void {
    const key = `${route}\u0000${method}\u0000${Math.floor(status / 100)}xx`;
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
  }

  families(o: { projects: readonly ProjectFigures[]; memory: NodeJS.MemoryUsage }): Family[] {
    const { projects, memory } = o;
    // Every project open here has its ingest series, at 0 before its first event.
    for (const { project } of projects) this.countsOf(project);
    const ingest = (field: keyof IngestCounts) => [...this.ingest].map(([project, counts]) => ({ labels: { project }, value: counts[field] }));
    const each = (sample: (p: ProjectFigures) => Array<{ labels?: Record<string, string>; value: number }>) =>
      projects.flatMap((p) => sample(p).map(({ labels, value }) => ({ labels: { project: p.project, ...labels }, value })));
    const lagOf = ({ depth, now }: ProjectFigures) => (depth.oldestDueAt === null ? 0 : Math.max(0, now - depth.oldestDueAt));
    return [
      { name: 'waymark_events_received_total', help: 'Events received by this process (accepted, duplicates, rejected, or failed with the request).', type: 'counter', samples: ingest('received') },
      { name: 'waymark_events_accepted_total', help: 'Events stored and processed.', type: 'counter', samples: ingest('accepted') },
      { name: 'waymark_events_duplicate_total', help: 'Events dropped as duplicates of a messageId already stored.', type: 'counter', samples: ingest('duplicates') },
      { name: 'waymark_events_rejected_total', help: 'Events (or calls, on the compatible routes) in requests refused as bad input or too large.', type: 'counter', samples: ingest('rejected') },
      {
        name: 'waymark_messages_pending',
        help: 'Messages waiting for the dispatcher (queued or waiting for a retry), by channel.',
        type: 'gauge',
        samples: each(({ depth }) => depth.pendingMessages.map((p) => ({ labels: { channel: p.channel }, value: p.count }))),
      },
      { name: 'waymark_timers_due', help: 'Instances whose timer is due and not yet fired.', type: 'gauge', samples: each(({ depth }) => [{ value: depth.dueTimers }]) },
      { name: 'waymark_engine_lag_seconds', help: 'How late the oldest due timer is (0 when none is due).', type: 'gauge', samples: each((p) => [{ value: lagOf(p) / 1000 }]) },
      { name: 'waymark_inbox_events', help: 'Internal events (journey triggers) waiting in the inbox.', type: 'gauge', samples: each(({ depth }) => [{ value: depth.inbox }]) },
      {
        name: 'waymark_messages_total',
        help: "Messages by channel and status as this process's engine wrote them (queued, sent by the outbox, skipped, failed) and its dispatcher recorded them (sent, failed, retry, dead).",
        type: 'counter',
        samples: each(({ engine }) => engine.messages.map((m) => ({ labels: { channel: m.channel, status: m.status }, value: m.count }))),
      },
      {
        name: 'waymark_dispatch_errors_total',
        help: 'Sends whose sender threw (the batch is retried), by channel.',
        type: 'counter',
        samples: each(({ engine }) => engine.senderErrors.map((e) => ({ labels: { channel: e.channel }, value: e.count }))),
      },
      {
        name: 'waymark_engine_errors_total',
        help: "Failures of the engine's background work (timers, dispatch, inbox, journeys, ...), by where.",
        type: 'counter',
        samples: each(({ engine }) => engine.errors.map((e) => ({ labels: { where: e.where }, value: e.count }))),
      },
      { name: 'waymark_timers_fired_total', help: "Instances advanced by due timers in this process's engine.", type: 'counter', samples: each(({ engine }) => [{ value: engine.timersFired }]) },
      {
        name: 'waymark_http_requests_total',
        help: 'HTTP requests answered, by route pattern, method and status class.',
        type: 'counter',
        samples: [...this.requests].map(([key, value]) => {
          const [route = '', method = '', status = ''] = key.split('\u0000');
          return { labels: { route, method, status }, value };
        }),
      },
      { name: 'process_resident_memory_bytes', help: 'Resident memory size in bytes.', type: 'gauge', samples: [{ value: memory.rss }] },
      { name: 'nodejs_heap_used_bytes', help: 'V8 heap in use, in bytes.', type: 'gauge', samples: [{ value: memory.heapUsed }] },
      { name: 'nodejs_heap_total_bytes', help: 'V8 heap allocated, in bytes.', type: 'gauge', samples: [{ value: memory.heapTotal }] },
      { name: 'nodejs_external_memory_bytes', help: 'Memory of C++ objects bound to JavaScript, in bytes.', type: 'gauge', samples: [{ value: memory.external }] },
    ];
  }
}

/** The engine as the routes see it, its ingest counted: every way in (events, the compatible routes) goes through it. */
export function countingEngine(engine: EngineHandle, metrics: ServerMetrics, project: string): EngineHandle {
  return {
    clock: engine.clock,
    async ingest(events, receivedAt) {
      try {
        const result = await engine.ingest(events, receivedAt);
        metrics.ingested(project, events.length, result);
        return result;
      } catch (error) {
        metrics.ingested(project, events.length, null);
        throw error;
      }
    },
    identify: (merge, receivedAt) => engine.identify(merge, receivedAt),
    upsertProfiles: (profiles) => engine.upsertProfiles(profiles),
    reloadJourneys: () => engine.reloadJourneys(),
    counters: () => engine.counters(),
    stop: () => engine.stop(),
  };
}
