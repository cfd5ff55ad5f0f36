/**
 * A provider outage on loopback: a TCP proxy in front of a local provider (any protocol: HTTP/1.1, HTTP/2 in
 * cleartext, SMTP) whose mode the test sets. `up` pipes each connection to the provider; `unavailable` answers
 * the protocol's own "try later" (HTTP 503, SMTP 421) and closes; `hang` takes the connection and never
 * answers (the sender's timeout fires); `refuse` stops listening, so a connection is refused, and listens
 * again on the same port when the mode changes; `hold` lets the request through to the provider, which takes
 * it, and withholds the answer (of an HTTP/1.1 request whose head `holds` picks, of every HTTP/2 request, or
 * of SMTP's end of DATA), so that the sender has a message in flight that the provider already has: the
 * moment a crash turns into a second send.
 * A change of mode drops every connection open, as a provider going down does.
 */
import http2 from 'node:http2';
import net, { type AddressInfo, type Socket } from 'node:net';
import { after } from 'node:test';

export type GateMode = 'up' | 'unavailable' | 'hang' | 'refuse' | 'hold';

export interface OutageGate {
  port: number;
  url: string;
  mode(): GateMode;
  setMode(mode: GateMode): Promise<void>;
  /** Connections taken while down (`unavailable`, `hang`): what the outage turned away. */
  turnedAway(): number;
  /** Resolves once `n` answers in all have been withheld in `hold` mode (each provider has the request). */
  held(n: number): Promise<void>;
}

const REFUSALS = {
  http: 'HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain\r\ncontent-length: 11\r\nconnection: close\r\n\r\nunavailable',
  smtp: '421 4.3.2 Service not available, closing transmission channel\r\n',
};

/** The end of an SMTP message's data: the provider's answer to it says whether it took the message. */
const END_OF_DATA = '\r\n.\r\n';

export async function outageGate(
  target: { host?: string; port: number },
  protocol: 'http' | 'h2' | 'smtp',
  initial: GateMode = 'up',
  /** In `hold` mode, which HTTP requests have their answers withheld, by the request's first bytes (default all). */
  holds: (head: string) => boolean = () => true,
): Promise<OutageGate> {
  let mode: GateMode = initial === 'refuse' ? 'up' : initial;
  let turned = 0;
  let withheld = 0;
  const waiting: Array<{ n: number; resolve: () => void }> = [];
  const withhold = () => {
    withheld++;
    for (const w of waiting.filter((w) => withheld >= w.n)) {
      waiting.splice(waiting.indexOf(w), 1);
      w.resolve();
    }
  };
  const open = new Set<Socket>();
  const track = (s: Socket) => {
    open.add(s);
    s.on('close', () => open.delete(s));
    s.on('error', () => {});
  };
  const server = net.createServer((client) => {
    track(client);
    if (mode === 'up' || mode === 'hold') {
      const upstream = net.connect(target.port, target.host ?? '127.0.0.1');
      track(upstream);
      upstream.on('close', () => client.destroy());
      client.on('close', () => upstream.destroy());
      if (mode === 'up') {
        client.pipe(upstream).pipe(client);
        return;
      }
      if (protocol === 'h2') {
        client.pipe(upstream);
        holdStreams(upstream, client, withhold);
        return;
      }
      // hold: everything the sender says goes through; the provider's answers go back until the held
      // request, whose answer (and everything after it) is dropped.
      let seen = '';
      let holding = false;
      let counted = false;
      client.on('data', (chunk: Buffer) => {
        upstream.write(chunk);
        if (holding) return;
        seen = (seen + chunk.toString('latin1')).slice(-4096);
        holding = protocol === 'smtp' ? seen.includes(END_OF_DATA) : holds(seen);
      });
      upstream.on('data', (chunk: Buffer) => {
        if (!holding) return void client.write(chunk);
        if (!counted) {
          counted = true;
          withhold();
        }
      });
      return;
    }
    turned++;
    if (mode === 'hang') {
      client.on('data', () => {}); // read and drop: the request is never answered
      return;
    }
    if (protocol === 'smtp') client.end(REFUSALS.smtp);
    else if (protocol === 'h2') void refuseOverHttp2(client, track);
    else client.once('data', () => client.end(REFUSALS.http)); // answer once the request has started
  });
  const listen = (port: number) => new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.removeListener('error', reject);
      resolve();
    });
  });
  await listen(0);
  const port = (server.address() as AddressInfo).port;
  const dropAll = () => {
    for (const s of open) s.destroy();
  };
  const gate: OutageGate = {
    port,
    url: `http://127.0.0.1:${port}`,
    mode: () => mode,
    turnedAway: () => turned,
    held: (n) => (withheld >= n ? Promise.resolve() : new Promise((resolve) => waiting.push({ n, resolve }))),
    async setMode(next) {
      if (next === mode) return;
      dropAll();
      if (mode === 'refuse') await listen(port);
      if (next === 'refuse') await new Promise<void>((resolve) => server.close(() => resolve()));
      mode = next;
    },
  };
  if (initial === 'refuse') await gate.setMode('refuse');
  after(() => {
    dropAll();
    if (mode !== 'refuse') server.close();
  });
  return gate;
}

/**
 * HTTP/2 `hold`: the provider's frames for the connection itself (SETTINGS, PING, GOAWAY: stream 0) go back, so
 * the connection stays up; those of its answers (any other stream) are dropped, each answer's HEADERS counted.
 */
function holdStreams(upstream: Socket, client: Socket, withhold: () => void): void {
  let pending = Buffer.alloc(0);
  upstream.on('data', (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk]);
    // A frame: a 9-byte header (length 24 bits, type, flags, stream id 31 bits), then its payload.
    while (pending.length >= 9) {
      const size = 9 + pending.readUIntBE(0, 3);
      if (pending.length < size) break;
      const frame = pending.subarray(0, size);
      pending = pending.subarray(size);
      if ((frame.readUInt32BE(5) & 0x7fffffff) === 0) client.write(frame);
      else if (frame[3] === 0x1) withhold();
    }
  });
}

/** An HTTP/2 server that answers 503 to every request: what a provider's front end says while it is down. */
let unavailableServer: Promise<number> | null = null;

async function refuseOverHttp2(client: Socket, track: (s: Socket) => void): Promise<void> {
  unavailableServer ??= new Promise((resolve) => {
    const server = http2.createServer();
    server.on('stream', (stream) => {
      stream.on('error', () => {});
      stream.respond({ ':status': 503, 'content-type': 'text/plain' });
      stream.end('unavailable');
    });
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
    server.unref();
  });
  const upstream = net.connect(await unavailableServer, '127.0.0.1');
  track(upstream);
  upstream.on('close', () => client.destroy());
  client.on('close', () => upstream.destroy());
  client.pipe(upstream).pipe(client);
}
