/**
 * One HTTP/1.1 request to a provider, as the senders make them: a deadline for the whole exchange (connection
 * included), no redirects, and at most `maxBytes` of the answer read (the rest is dropped, so a huge or slow
 * answer costs nothing). Never throws: a timeout or a connection error is an answer of its own.
 * Connections are kept alive and reused (a new one for each request cost the sender about a third of its CPU
 * at 1,000 pushes a second, and the provider as much again): an answer read to its end, within
 * DRAIN_BYTES and the deadline, leaves its connection for the next request to the same host; any other is
 * closed. How many are open at once is the sender's concurrency (limiter.ts).
 */
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { MAX_CONCURRENCY } from './limiter.ts';

/** Idle connections kept per host: as many as a sender may have in flight. */
const agentOptions = { keepAlive: true, maxFreeSockets: MAX_CONCURRENCY, scheduling: 'lifo' as const };
const agents = { http: new http.Agent(agentOptions), https: new https.Agent(agentOptions) };
/** Of an answer whose body is not wanted: read (and dropped) up to this, for its connection to be reused. */
const DRAIN_BYTES = 64 * 1024;

export interface HttpRequest {
  method: 'GET' | 'POST';
  url: URL;
  headers: Record<string, string>;
  body?: string | Buffer;
  timeoutMs: number;
  /** Bytes of the answer's body to read; 0: only the status and headers. */
  maxBytes: number;
  /** Connect to this address rather than what the name resolves to (address-guard.ts). */
  pinned?: { address: string; family: 4 | 6 };
}

export type HttpAnswer =
  | { ok: true; status: number; headers: http.IncomingHttpHeaders; body: string }
  | { ok: false; error: string };

export function httpRequest(r: HttpRequest): Promise<HttpAnswer> {
  const client = r.url.protocol === 'https:' ? https : http;
  const pinned = r.pinned;
  const lookup: LookupFunction | undefined = pinned
    ? (_host, options, callback) => {
        if ((options as { all?: boolean }).all) (callback as unknown as (e: null, a: Array<{ address: string; family: number }>) => void)(null, [pinned]);
        else callback(null, pinned.address, pinned.family);
      }
    : undefined;
  const length = r.body === undefined ? 0 : Buffer.byteLength(r.body);
  return new Promise<HttpAnswer>((settle) => {
    let settled = false;
    const finish = (answer: HttpAnswer) => {
      if (settled) return;
      settled = true;
      settle(answer);
    };
    // The connection goes back to the agent only when the answer was read to its end; else it is closed.
    const close = () => {
      clearTimeout(timer);
      request.destroy();
    };
    const request = client.request(r.url, { method: r.method, headers: { ...r.headers, 'content-length': String(length) }, agent: agents[client === https ? 'https' : 'http'], ...(lookup ? { lookup } : {}) }, (response) => {
      const status = response.statusCode ?? 0;
      const chunks: Buffer[] = [];
      let size = 0;
      const answer = (): HttpAnswer => ({ ok: true, status, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') });
      // Only the status and headers wanted: the answer is settled now, and its body drained behind it.
      if (r.maxBytes <= 0) finish(answer());
      response.on('data', (chunk: Buffer) => {
        if (size < r.maxBytes) chunks.push(chunk.length > r.maxBytes - size ? chunk.subarray(0, r.maxBytes - size) : chunk);
        size += chunk.length;
        if (size >= r.maxBytes) finish(answer());
        if (size > Math.max(r.maxBytes, DRAIN_BYTES)) close();
      });
      response.on('end', () => {
        clearTimeout(timer);
        finish(answer());
      });
      response.on('error', () => {
        finish(answer());
        close();
      });
    });
    const timer = setTimeout(() => {
      finish({ ok: false, error: 'timeout' });
      close();
    }, r.timeoutMs);
    request.on('error', (error: NodeJS.ErrnoException) => {
      finish({ ok: false, error: `connection_failed: ${error.code ?? error.message}` });
      close();
    });
    request.end(r.body);
  });
}

/** Whether `text` is an absolute http: or https: URL. */
export function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}
