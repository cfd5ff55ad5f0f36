/**
 * A client of the OpenAI chat-completions API (POST {baseUrl}/chat/completions), on Node's fetch: the answer
 * whole, or streamed as server-sent events (`data: {chunk}` lines, then `data: [DONE]`), assembled into one
 * text. Bounded by an overall timeout and an idle timeout between chunks. Never throws: every way the call can
 * fail becomes a ProviderFailure, with the status Waymark answers and a message that says what to do.
 */
import { DEFAULT_IDLE_TIMEOUT_MS, DEFAULT_TIMEOUT_MS, type CopyProviderSettings } from './settings.ts';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** What is sent, but for the key (the request the audit log keeps). */
export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  temperature: number;
  stream: boolean;
}

export type ProviderFailureKind = 'refused' | 'rate_limited' | 'provider_error' | 'timeout' | 'malformed' | 'unreachable';

export interface ProviderFailure {
  kind: ProviderFailureKind;
  /**
   * What Waymark answers: 424 Failed Dependency (the model failed, refused, was unreachable, too slow or
   * answered nonsense: the message says which), 429 (it asks to wait). Never a 5xx: Waymark itself did not fail.
   */
  status: 424 | 429;
  message: string;
  /** The provider's Retry-After, passed on with a 429. */
  retryAfter?: string;
}

export type ChatResult = { ok: true; text: string; raw: string } | { ok: false; failure: ProviderFailure; raw: string | null };

/** The most of an answer read: a few variants of copy are a few kilobytes. */
export const MAX_ANSWER_BYTES = 1_000_000;

export function chatRequest(settings: CopyProviderSettings, messages: ChatMessage[]): ChatRequest {
  return { model: settings.model, messages, temperature: settings.temperature ?? 0.8, stream: settings.stream ?? true };
}

export async function chatCompletion(settings: CopyProviderSettings, request: ChatRequest): Promise<ChatResult> {
  const url = `${settings.baseUrl}/chat/completions`;
  const host = hostOf(settings.baseUrl);
  const abort = new AbortController();
  let why: 'overall' | 'idle' | null = null;
  const timeoutMs = settings.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const idleMs = settings.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  const overall = setTimeout(() => stop('overall'), timeoutMs);
  let idle = setTimeout(() => stop('idle'), idleMs);
  function stop(reason: 'overall' | 'idle') {
    why ??= reason;
    abort.abort();
  }
  const alive = () => {
    clearTimeout(idle);
    idle = setTimeout(() => stop('idle'), idleMs);
  };
  const timedOut = (): ChatResult => ({
    ok: false,
    raw: null,
    failure: {
      kind: 'timeout',
      status: 424,
      message:
        why === 'idle'
          ? `the model at ${host} sent nothing for ${idleMs} ms (idleTimeoutMs): it may be loading or overloaded; try again, or raise the timeout in the copy assistant's settings`
          : `the model at ${host} did not finish within ${timeoutMs} ms (timeoutMs); try again, ask for fewer variants, or raise the timeout`,
    },
  });

  try {
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: request.stream ? 'text/event-stream, application/json' : 'application/json' };
    if (settings.apiKey) headers.authorization = `Bearer ${settings.apiKey}`;
    let response: Response;
    try {
      response = await fetch(url, { method: 'POST', headers, body: JSON.stringify(request), signal: abort.signal, redirect: 'error' });
    } catch (error) {
      if (why) return timedOut();
      return { ok: false, raw: null, failure: { kind: 'unreachable', status: 424, message: `the model at ${host} cannot be reached (${causeOf(error)}): check the base URL and that the server is running` } };
    }
    alive();
    let raw: string;
    try {
      raw = await readBody(response, alive);
    } catch (error) {
      if (why) return timedOut();
      if (error instanceof TooLarge) return { ok: false, raw: null, failure: { kind: 'malformed', status: 424, message: `the model at ${host} answered more than ${MAX_ANSWER_BYTES} bytes` } };
      return { ok: false, raw: null, failure: { kind: 'provider_error', status: 424, message: `the answer of the model at ${host} broke off (${causeOf(error)})` } };
    }
    if (!response.ok) return { ok: false, raw, failure: httpFailure(response, raw, host) };
    const text = isEventStream(response) ? fromStream(raw) : fromJson(raw);
    if (typeof text !== 'string') return { ok: false, raw, failure: { kind: text.kind, status: 424, message: `the model at ${host} ${text.message}` } };
    return { ok: true, text, raw };
  } finally {
    clearTimeout(overall);
    clearTimeout(idle);
  }
}

class TooLarge extends Error {}

async function readBody(response: Response, alive: () => void): Promise<string> {
  if (!response.body) return '';
  const decoder = new TextDecoder();
  let text = '';
  let bytes = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    alive();
    bytes += chunk.byteLength;
    if (bytes > MAX_ANSWER_BYTES) throw new TooLarge();
    text += decoder.decode(chunk, { stream: true });
  }
  return text + decoder.decode();
}

function isEventStream(response: Response): boolean {
  return (response.headers.get('content-type') ?? '').includes('text/event-stream');
}

type Parsed = string | { kind: 'malformed' | 'provider_error'; message: string };

/** The message's content from a whole answer: { choices: [{ message: { content } }] }. */
export function fromJson(raw: string): Parsed {
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    return { kind: 'malformed', message: `answered something that is not JSON: ${quote(raw)}` };
  }
  const error = errorMessageOf(body);
  if (error) return { kind: 'provider_error', message: `answered with an error: ${error}` };
  const content = (body as { choices?: Array<{ message?: { content?: unknown } }> }).choices?.[0]?.message?.content;
  if (typeof content !== 'string') return { kind: 'malformed', message: 'answered JSON without choices[0].message.content' };
  return content;
}

/** The content of a streamed answer: each `data:` line a chunk whose choices[0].delta.content adds to it, until [DONE]. */
export function fromStream(raw: string): Parsed {
  let text = '';
  let done = false;
  let chunks = 0;
  for (const line of raw.split(/\r?\n/)) {
    if (!line.startsWith('data:')) continue; // comments (": keep-alive"), event names, blank lines between events
    const data = line.slice(5).trim();
    if (data === '[DONE]') {
      done = true;
      break;
    }
    let chunk: unknown;
    try {
      chunk = JSON.parse(data);
    } catch {
      return { kind: 'malformed', message: `streamed a chunk that is not JSON: ${quote(data)}` };
    }
    const error = errorMessageOf(chunk);
    if (error) return { kind: 'provider_error', message: `stopped with an error: ${error}` };
    chunks++;
    const piece = (chunk as { choices?: Array<{ delta?: { content?: unknown } }> }).choices?.[0]?.delta?.content;
    if (typeof piece === 'string') text += piece;
  }
  if (!done) return { kind: 'malformed', message: `ended its stream without [DONE] after ${chunks} chunks` };
  return text;
}

function httpFailure(response: Response, raw: string, host: string): ProviderFailure {
  const said = errorMessageOf(safeJson(raw)) ?? quote(raw);
  const status = response.status;
  if (status === 401 || status === 403) {
    return { kind: 'refused', status: 424, message: `the model at ${host} refused the API key (${status}: ${said}): set a valid key in the copy assistant's settings` };
  }
  if (status === 429) {
    const retryAfter = response.headers.get('retry-after') ?? undefined;
    return {
      kind: 'rate_limited',
      status: 429,
      message: `the model at ${host} is rate limiting these requests (${said})${retryAfter ? `; it asks to wait ${retryAfter}${/^\d+$/.test(retryAfter) ? ' s' : ''}` : ''}`,
      ...(retryAfter ? { retryAfter } : {}),
    };
  }
  if (status >= 500) return { kind: 'provider_error', status: 424, message: `the model at ${host} failed (${status}: ${said}); try again later` };
  return { kind: 'provider_error', status: 424, message: `the model at ${host} did not accept the request (${status}: ${said}): check the model name and base URL` };
}

/** OpenAI's error shape, { error: { message } }, or { error: "text" } as some servers answer. */
function errorMessageOf(body: unknown): string | null {
  if (typeof body !== 'object' || body === null || !('error' in body)) return null;
  const error = (body as { error: unknown }).error;
  if (typeof error === 'string') return error.slice(0, 300);
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message.slice(0, 300) : 'unspecified error';
}

function safeJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return null;
  }
}

function quote(text: string): string {
  const short = text.trim().slice(0, 120);
  return short === '' ? '(an empty body)' : JSON.stringify(short) + (text.trim().length > 120 ? '…' : '');
}

function hostOf(baseUrl: string): string {
  try {
    return new URL(baseUrl).host;
  } catch {
    return baseUrl;
  }
}

function causeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  if (typeof cause?.code === 'string') return cause.code;
  return String((cause?.message as string | undefined) ?? (error as Error).message ?? error);
}
