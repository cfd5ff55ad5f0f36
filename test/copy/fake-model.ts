/**
 * A stand-in for a language model server on 127.0.0.1, speaking the OpenAI chat-completions API as its
 * public spec describes it: POST /v1/chat/completions with { model, messages, stream }; a Bearer key
 * checked (401 with { error: { message } } when wrong); the answer as one JSON chat.completion, or with
 * `stream: true` as server-sent events of chat.completion.chunk objects ending with `data: [DONE]`.
 * Each request takes the next scripted reply: an answer's content (sent the way the request asked), an error
 * status, a malformed body, or a stall (nothing, or one chunk and then nothing) for the timeouts.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after } from 'node:test';

export type Reply =
  | { content: string }
  | { status: number; error: string; headers?: Record<string, string> }
  | { raw: string; contentType: string }
  | { stall: 'before-headers' | 'after-first-chunk' };

export interface Received {
  authorization: string | undefined;
  body: { model: string; messages: Array<{ role: string; content: string }>; stream?: boolean; temperature?: number };
}

export interface FakeModel {
  /** The base URL to configure: http://127.0.0.1:<port>/v1 */
  baseUrl: string;
  received: Received[];
  /** Replies for the next requests, in order; with none left, a 500. */
  script(...replies: Reply[]): void;
  close(): Promise<void>;
  /** Resolves when `n` requests have been received in all. */
  requests(n: number): Promise<void>;
}

/**
 * `closeAfter: false` when called from a before hook (an after() registered there runs when the hook ends):
 * the caller then calls close().
 */
export async function fakeModel({ key = 'sk-test', closeAfter = true }: { key?: string | null; closeAfter?: boolean } = {}): Promise<FakeModel> {
  const queue: Reply[] = [];
  const received: Received[] = [];
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  const server = createServer((req, res) => void handle(req, res));

  async function handle(req: IncomingMessage, res: ServerResponse) {
    let text = '';
    for await (const chunk of req) text += chunk;
    if (req.method !== 'POST' || req.url !== '/v1/chat/completions') return json(res, 404, { error: { message: `no route ${req.url}` } });
    if (key !== null && req.headers.authorization !== `Bearer ${key}`) return json(res, 401, { error: { message: 'Incorrect API key provided', type: 'invalid_request_error', code: 'invalid_api_key' } });
    const body = JSON.parse(text) as Received['body'];
    received.push({ authorization: req.headers.authorization, body });
    for (const w of waiters.filter((w) => received.length >= w.n)) w.resolve();
    const reply = queue.shift() ?? { status: 500, error: 'no reply scripted' };
    if ('status' in reply) return json(res, reply.status, { error: { message: reply.error } }, reply.headers);
    if ('raw' in reply) {
      res.writeHead(200, { 'content-type': reply.contentType });
      return res.end(reply.raw);
    }
    if ('stall' in reply) {
      if (reply.stall === 'after-first-chunk') {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write(`data: ${JSON.stringify(chunk(body.model, { role: 'assistant', content: '' }))}\n\n`);
      }
      return; // nothing more: the connection stays open until the client gives up or the server closes
    }
    if (!body.stream) {
      return json(res, 200, {
        id: 'chatcmpl-1', object: 'chat.completion', created: 1, model: body.model,
        choices: [{ index: 0, message: { role: 'assistant', content: reply.content }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
      });
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    res.write(': keep-alive\n\n');
    res.write(`data: ${JSON.stringify(chunk(body.model, { role: 'assistant', content: '' }))}\n\n`);
    // A few characters per chunk, so a test sees the text assembled across many events.
    for (let i = 0; i < reply.content.length; i += 7) res.write(`data: ${JSON.stringify(chunk(body.model, { content: reply.content.slice(i, i + 7) }))}\n\n`);
    res.write(`data: ${JSON.stringify({ ...chunk(body.model, {}), choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\n`);
    res.end('data: [DONE]\n\n');
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const close = async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  };
  if (closeAfter) after(close);
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    received,
    close,
    script: (...replies) => void queue.push(...replies),
    requests: (n) => (received.length >= n ? Promise.resolve() : new Promise((resolve) => waiters.push({ n, resolve }))),
  };
}

function chunk(model: string, delta: Record<string, unknown>) {
  return { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model, choices: [{ index: 0, delta, finish_reason: null }] };
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}
