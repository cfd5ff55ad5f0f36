/**
 * Requests to one provider over HTTP/2 (FCM, APNs): a few connections kept and reused, each carrying as many
 * requests at once as the provider allows (its SETTINGS_MAX_CONCURRENT_STREAMS: Google's front ends allow
 * 100; APNs has been seen to allow 500, and 1 for a while after it refuses a notification, which SETTINGS
 * tell as they change), a new one opened only when every open one is full. A connection that goes away
 * (GOAWAY, an error, a close) is forgotten; the next request opens another. Never throws: a timeout or a
 * connection error is an answer of its own, and `refused` says the provider cannot have acted on the request
 * (its stream was refused, or the connection ended before any answer), so it is safe to send again at once.
 * Why not HTTP/1.1 with keep-alive (http-request.ts): at 500 requests in flight, each needs a socket of its
 * own and a write of its own; on one HTTP/2 connection many requests share a write. bench/delivery.ts, FCM at
 * 500 in flight: the sender's CPU a push fell from 374 to 193 µs, and 2,977 pushes a second became 4,132.
 */
import http2 from 'node:http2';

export type Http2Answer =
  | { ok: true; status: number; headers: http2.IncomingHttpHeaders; body: string }
  | { ok: false; error: string; refused: boolean };

export interface Http2Request {
  headers: http2.OutgoingHttpHeaders;
  body: string;
  timeoutMs: number;
  /** Bytes of the answer's body kept (the rest is read and dropped). */
  maxBytes: number;
}

/** Streams a connection takes when the provider's SETTINGS name no limit (HTTP/2's default: unlimited). */
const DEFAULT_STREAMS = 1_000;
/** Connections to one origin at most: past this, requests wait in a connection's queue for a stream. */
const MAX_CONNECTIONS = 16;

interface Connection {
  session: http2.ClientHttp2Session;
  /** Requests on it now. */
  active: number;
  /** Streams the provider takes at once on it, from its SETTINGS. */
  streams: number;
  /** Whether the provider's SETTINGS have come. `settings` resolves then (null), or to why it failed first. */
  ready: boolean;
  settings: Promise<Error | null>;
}

export class Http2Origin {
  private connections: Connection[] = [];

  constructor(private readonly origin: string) {}

  async request(r: Http2Request): Promise<Http2Answer> {
    const deadline = performance.now() + r.timeoutMs;
    let connection: Connection;
    try {
      connection = await this.pick(deadline);
    } catch (error) {
      // Nothing was sent; a provider that does not even connect in time is retried later, not at once.
      return error === TIMEOUT ? { ok: false, error: 'timeout', refused: false } : { ok: false, error: `connection_failed: ${codeOf(error)}`, refused: true };
    }
    const { session } = connection;
    return new Promise<Http2Answer>((settle) => {
      let settled = false;
      let answered = false;
      let headers: http2.IncomingHttpHeaders = {};
      const chunks: Buffer[] = [];
      let size = 0;
      const finish = (answer: Http2Answer) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        connection.active -= 1;
        settle(answer);
      };
      const fail = (error: string) => {
        const refused = !answered && (stream.rstCode === http2.constants.NGHTTP2_REFUSED_STREAM || session.closed || session.destroyed);
        if (refused) this.forget(session);
        finish({ ok: false, error, refused });
      };
      let stream: http2.ClientHttp2Stream;
      try {
        stream = session.request(r.headers);
      } catch (error) {
        connection.active -= 1;
        this.forget(session);
        settle({ ok: false, error: `connection_failed: ${codeOf(error)}`, refused: true });
        return;
      }
      // Only a request given up on is reset. A reset after the answer ended would be one more frame for nothing,
      // and providers count resets: Node's server (as a guard against the "rapid reset" attack) ends a
      // connection with INTERNAL_ERROR after about a thousand of them, failing every request on it.
      const timer = setTimeout(() => {
        finish({ ok: false, error: 'timeout', refused: false });
        stream.close(http2.constants.NGHTTP2_CANCEL);
      }, Math.max(0, deadline - performance.now()));
      stream.on('response', (h) => {
        headers = h;
        answered = true;
      });
      stream.on('data', (chunk: Buffer) => {
        if (size < r.maxBytes) chunks.push(chunk.subarray(0, r.maxBytes - size));
        size += chunk.length;
      });
      // A stream the connection ended under also ends, with no answer: that is a failure, not a status 0.
      stream.on('end', () => (answered ? finish({ ok: true, status: Number(headers[':status']), headers, body: Buffer.concat(chunks).toString('utf8') }) : fail('connection_failed: ended unanswered')));
      stream.on('error', (error) => fail(`connection_failed: ${codeOf(error)}`));
      stream.on('close', () => fail('connection_failed: stream closed'));
      stream.end(r.body);
    });
  }

  /**
   * `request`, sent once more when the first was refused: the provider cannot have acted on it, and the
   * connection that refused it is forgotten, so the second goes on a new one (after a GOAWAY, say). A second
   * refusal is the answer.
   */
  async requestResendingRefused(r: Http2Request): Promise<Http2Answer> {
    const answer = await this.request(r);
    return !answer.ok && answer.refused ? this.request(r) : answer;
  }

  /** Closes every connection (settings changed, or the process stops); requests on them finish first. */
  close(): void {
    for (const c of this.connections) c.session.close();
    this.connections = [];
  }

  /** Connections open now (tests). */
  get open(): number {
    return this.connections.length;
  }

  /**
   * The first open connection with a stream to spare; else a new one; else, at the cap, the least busy (its
   * requests wait in its queue for a stream). A new connection is used only once the provider's SETTINGS have
   * said how many streams it takes: sent before, requests past its limit would be refused. The request is
   * counted on the connection as it is picked, before any await, so that requests picking at once spread.
   */
  private async pick(deadline: number): Promise<Connection> {
    for (;;) {
      let least: Connection | undefined;
      for (const c of this.connections) {
        if (c.ready && c.active < c.streams) return take(c);
        if (!least || c.active < least.active) least = c;
      }
      const starting = this.connections.find((c) => !c.ready) ?? (least && this.connections.length >= MAX_CONNECTIONS ? null : this.connect(deadline));
      if (!starting) return take(least!);
      const failed = await before(starting.settings, deadline);
      if (failed) throw failed;
    }
  }

  /** A new connection, given up on (destroyed) if the provider's SETTINGS have not come by `deadline`. */
  private connect(deadline: number): Connection {
    const session = http2.connect(this.origin);
    let settled!: (failed: Error | null) => void;
    const connection: Connection = { session, active: 0, streams: 0, ready: false, settings: new Promise((resolve) => (settled = resolve)) };
    const forget = (error?: Error) => {
      this.forget(session);
      settled(error ?? new Error('closed')); // no-op once ready: requests waiting for it fail with the reason
    };
    // Destroyed with TIMEOUT itself: the requests waiting for it then answer a timeout, whichever of this timer
    // and their own deadline (before()) fires first.
    const giveUp = setTimeout(() => session.destroy(TIMEOUT), Math.max(0, deadline - performance.now()));
    giveUp.unref();
    session.on('remoteSettings', (settings) => {
      clearTimeout(giveUp);
      connection.streams = settings.maxConcurrentStreams ?? DEFAULT_STREAMS;
      connection.ready = true;
      settled(null);
    });
    session.on('goaway', () => forget());
    session.on('close', () => forget());
    session.on('error', forget);
    // An idle connection must not keep the process alive; streams in flight keep it referenced.
    session.unref();
    this.connections.push(connection);
    return connection;
  }

  private forget(session: http2.ClientHttp2Session): void {
    this.connections = this.connections.filter((c) => c.session !== session);
  }
}

const TIMEOUT = new Error('timeout');

/** What `promise` gives, or TIMEOUT (thrown) if the deadline comes first. */
async function before<T>(promise: Promise<T>, deadline: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(TIMEOUT), Math.max(0, deadline - performance.now()))))]);
  } finally {
    clearTimeout(timer);
  }
}

function take(c: Connection): Connection {
  c.active += 1;
  return c;
}

function codeOf(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? (error as Error).message;
}
