/**
 * A webhook receiver on loopback that is down until the test brings it up: while down it answers 503 with
 * `Retry-After: 0`, so a real server's dispatcher (on the wall clock) makes every retry at once and the message
 * is dead within a moment rather than an hour; once up it answers 204. It keeps each request's webhook-id and
 * its answer, in order. Closed after the file's tests: make it at a file's top level (in a before() hook, the
 * after() that closes it would run when the hook ends).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after } from 'node:test';

export interface Attempt {
  id: string;
  status: number;
}

export interface RecoveringReceiver {
  url: string;
  attempts: Attempt[];
  up(): void;
}

export async function recoveringReceiver(): Promise<RecoveringReceiver> {
  const attempts: Attempt[] = [];
  let down = true;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const status = down ? 503 : 204;
      attempts.push({ id: String(req.headers['webhook-id']), status });
      res.writeHead(status, down ? { 'retry-after': '0' } : {}).end();
    });
  });
  // Idle connections stay open for the test: a sender reusing one just as the server's 5-second default closes
  // it gets a reset, a transient failure retried half a minute later, which is not what a test here is about.
  server.keepAliveTimeout = 600_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  after(() => {
    server.closeAllConnections();
    server.close();
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    attempts,
    up: () => {
      down = false;
    },
  };
}
