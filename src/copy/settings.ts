/**
 * The copy assistant's model, per project: any server that speaks the OpenAI chat-completions API (a hosted
 * service, or a local one: Ollama, llama.cpp's server, vLLM). The key is write-only: kept in the store, shown
 * as { set: true }, never logged, kept as it is when an update leaves it out. Nothing set: no assistant.
 */
import Type, { type Static } from 'typebox';
import type { Problem } from '../core/problem.ts';

export const DEFAULT_TIMEOUT_MS = 60_000;
export const DEFAULT_IDLE_TIMEOUT_MS = 20_000;

export const CopyProviderSettings = Type.Object(
  {
    baseUrl: Type.String({
      minLength: 1,
      maxLength: 2000,
      description: 'The API root the server answers /chat/completions under, e.g. https://api.openai.com/v1 or http://localhost:11434/v1 (Ollama)',
    }),
    model: Type.String({ minLength: 1, maxLength: 200, description: 'The model name the server knows, e.g. gpt-4o-mini or llama3.1' }),
    apiKey: Type.Optional(Type.String({ minLength: 1, maxLength: 1000, description: 'Sent as a Bearer token. Write-only: never returned; leave it out of an update to keep the one set. A local server may need none' })),
    temperature: Type.Optional(Type.Number({ minimum: 0, maximum: 2, description: 'Default 0.8' })),
    stream: Type.Optional(Type.Boolean({ description: 'Ask for a streamed answer (server-sent events). Default true' })),
    timeoutMs: Type.Optional(Type.Integer({ minimum: 100, maximum: 600_000, description: `The whole answer. Default ${DEFAULT_TIMEOUT_MS}` })),
    idleTimeoutMs: Type.Optional(Type.Integer({ minimum: 100, maximum: 600_000, description: `Between two chunks of a streamed answer (and before the first). Default ${DEFAULT_IDLE_TIMEOUT_MS}` })),
  },
  { additionalProperties: false },
);
export type CopyProviderSettings = Static<typeof CopyProviderSettings>;

/** The settings as the API shows them: the key, when set, as { set: true }. */
export const CopyProviderView = Type.Object({
  configured: Type.Boolean({ description: 'false: nothing set, the assistant is off' }),
  settings: Type.Record(Type.String(), Type.Unknown(), { description: 'As set, with apiKey shown as { "set": true }' }),
  updatedAt: Type.Union([Type.Integer(), Type.Null()]),
});

/** The settings to keep from a PUT body and what was kept before (a key left out is kept), or the problems. */
export function copySettingsToKeep(body: CopyProviderSettings, before: Record<string, unknown> | null): { settings: CopyProviderSettings } | { problems: Problem[] } {
  const problems: Problem[] = [];
  if (!isHttpUrl(body.baseUrl)) problems.push({ path: '/baseUrl', message: 'must be an http(s) URL, e.g. https://api.openai.com/v1 or http://localhost:11434/v1' });
  else if (/\/chat\/completions\/?$/.test(body.baseUrl)) problems.push({ path: '/baseUrl', message: 'is the API root, without /chat/completions (e.g. https://api.openai.com/v1)' });
  if (body.model.trim() === '') problems.push({ path: '/model', message: 'must name a model' });
  const timeout = body.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (body.idleTimeoutMs !== undefined && body.idleTimeoutMs > timeout) problems.push({ path: '/idleTimeoutMs', message: `must not be longer than timeoutMs (${timeout})` });
  if (problems.length > 0) return { problems };
  const settings: CopyProviderSettings = { ...body, baseUrl: body.baseUrl.replace(/\/+$/, '') };
  if (settings.apiKey === undefined && typeof before?.apiKey === 'string') settings.apiKey = before.apiKey;
  return { settings };
}

export function redactedCopySettings(settings: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.keys(settings)
      .sort()
      .map((k) => [k, k === 'apiKey' ? { set: true } : settings[k]]),
  );
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}
