/** Dashboard users in API tests: make one with the admin key, sign in as it, call routes with its session cookie. */
import assert from 'node:assert/strict';
import type { TestApi } from './helpers.ts';

export interface Answer {
  status: number;
  headers: Headers;
  body: any;
}

/** A request with exactly these headers (the cookie, the CSRF header) and no key. */
export async function send(url: string, method: string, headers: Record<string, string> = {}, body?: unknown): Promise<Answer> {
  const response = await fetch(url, {
    method,
    headers: { ...headers, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : null };
}

export const cookieOf = (answer: Answer): string => {
  const match = /^waymark_session=([^;]+)/.exec(answer.headers.get('set-cookie') ?? '');
  assert.ok(match, `a session cookie is set (status ${answer.status}: ${JSON.stringify(answer.body)})`);
  return `waymark_session=${match[1]}`;
};

/** Makes a user with the admin key; returns its id. */
export async function makeUser(api: TestApi, email: string, role: 'admin' | 'editor' | 'viewer', password = `${role}-password-1`): Promise<string> {
  const made = await api.call('POST', '/v1/team', { body: { email, role, password } });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  return made.body.id;
}

export async function signIn(api: TestApi, email: string, password: string): Promise<string> {
  return cookieOf(await send(`${api.url}/v1/session`, 'POST', {}, { email, password }));
}

/** A call as the session of `cookie`, with the CSRF header the dashboard sends. */
export function asSession(api: TestApi, cookie: string) {
  return (method: string, path: string, body?: unknown) => send(`${api.url}${path}`, method, { cookie, 'x-waymark-csrf': '1' }, body);
}
