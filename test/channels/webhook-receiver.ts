/** A webhook receiver on loopback for tests: the `webhook-id` of each request it took, in order; closed after the file's tests. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after } from 'node:test';

export async function webhookReceiver(): Promise<{ ids: string[]; port: number }> {
  const ids: string[] = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      ids.push(String(req.headers['webhook-id']));
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  after(() => {
    server.closeAllConnections();
    server.close();
  });
  return { ids, port: (server.address() as AddressInfo).port };
}
