/**
 * One HTTP/1.1 request to a provider, as the senders make them: a deadline for the whole exchange (connection
 * included), no redirects, and at most `maxBytes` of the answer read (the rest is dropped, so a huge or slow
 * answer costs nothing). Never throws: a timeout or a connection error is an answer of its own.
 */
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';

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
      clearTimeout(timer);
      settle(answer);
      request.destroy();
    };
    const request = client.request(r.url, { method: r.method, headers: { ...r.headers, 'content-length': String(length) }, agent: false, ...(lookup ? { lookup } : {}) }, (response) => {
      const status = response.statusCode ?? 0;
      if (r.maxBytes <= 0) return finish({ ok: true, status, headers: response.headers, body: '' });
      const chunks: Buffer[] = [];
      let size = 0;
      const done = () => finish({ ok: true, status, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') });
      response.on('data', (chunk: Buffer) => {
        const room = r.maxBytes - size;
        chunks.push(chunk.length > room ? chunk.subarray(0, room) : chunk);
        size += Math.min(chunk.length, room);
        if (size >= r.maxBytes) done();
      });
      response.on('end', done);
      response.on('error', done);
    });
    const timer = setTimeout(() => finish({ ok: false, error: 'timeout' }), r.timeoutMs);
    request.on('error', (error: NodeJS.ErrnoException) => finish({ ok: false, error: `connection_failed: ${error.code ?? error.message}` }));
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
