/**
 * The role table, walked: every operation of /openapi.json is called with a viewer's, an editor's and an admin's
 * session and must be refused (403) exactly when the table below says the role may not. The table is written
 * here by hand, from docs/security.md, not read from the code: a route added without an entry here fails, and
 * one whose declared access differs from the table fails too.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { forEachStore } from '../helpers.ts';
import { startApi } from './helpers.ts';
import { asSession, makeUser, signIn } from './team-helpers.ts';

type Need = 'public' | 'viewer' | 'editor' | 'admin';

/** Who may call each operation (public: no one needs signing in; write-key routes need the admin role of a session). */
const TABLE: Record<string, Need> = {
  'GET /health': 'public',
  'GET /ready': 'public',
  'GET /metrics': 'public',
  'GET /v1/meta/nodes': 'public',
  'POST /v1/events': 'admin',
  'POST /v1/profiles': 'admin',
  'POST /v1/track': 'admin',
  'POST /v1/identify': 'admin',
  'POST /v1/page': 'admin',
  'POST /v1/screen': 'admin',
  'POST /v1/group': 'admin',
  'POST /v1/alias': 'admin',
  'POST /v1/batch': 'admin',
  'POST /1/upload': 'admin',
  'POST /v1/identities': 'admin',
  'GET /v1/journeys': 'viewer',
  'POST /v1/journeys': 'editor',
  'POST /v1/journeys/validate': 'editor',
  'GET /v1/journeys/{id}': 'viewer',
  'PUT /v1/journeys/{id}': 'editor',
  'GET /v1/journeys/{id}/versions': 'viewer',
  'POST /v1/journeys/{id}/publish': 'editor',
  'POST /v1/journeys/{id}/pause': 'editor',
  'POST /v1/journeys/{id}/resume': 'editor',
  'POST /v1/journeys/{id}/stop': 'editor',
  'GET /v1/journeys/{id}/stats': 'viewer',
  'GET /v1/journeys/{id}/series': 'viewer',
  'POST /v1/journeys/{id}/backtest': 'editor',
  'GET /v1/users/{userId}': 'viewer',
  'GET /v1/users/{userId}/events': 'viewer',
  'GET /v1/users/{userId}/journeys': 'viewer',
  'GET /v1/users/{userId}/messages': 'viewer',
  'GET /v1/users/{userId}/explain': 'viewer',
  'GET /v1/messages': 'viewer',
  'POST /v1/messages/{id}/click': 'admin',
  'POST /v1/messages/{id}/resend': 'admin',
  'POST /v1/messages/resend': 'admin',
  'GET /v1/catalog/events': 'viewer',
  'GET /v1/catalog/traits': 'viewer',
  'POST /v1/preview': 'editor',
  'POST /v1/journeys/{id}/nodes/{node}/preview': 'editor',
  'POST /v1/journeys/{id}/nodes/{node}/test-send': 'editor',
  'GET /v1/settings': 'viewer',
  'PUT /v1/settings': 'admin',
  'GET /v1/providers': 'viewer',
  'PUT /v1/providers/{channel}': 'admin',
  'DELETE /v1/providers/{channel}': 'admin',
  'GET /v1/keys': 'admin',
  'POST /v1/keys': 'admin',
  'POST /v1/keys/{id}/rotate': 'admin',
  'DELETE /v1/keys/{id}': 'admin',
  'GET /v1/projects': 'viewer',
  'POST /v1/projects': 'admin',
  'GET /v1/team': 'admin',
  'POST /v1/team': 'admin',
  'PATCH /v1/team/{id}': 'admin',
  'DELETE /v1/team/{id}': 'admin',
  'GET /v1/copy/provider': 'viewer',
  'PUT /v1/copy/provider': 'admin',
  'DELETE /v1/copy/provider': 'admin',
  'POST /v1/copy/suggest': 'editor',
  'GET /v1/copy/log': 'admin',
  'GET /v1/inbox/{userId}': 'admin',
  'POST /v1/inbox/{userId}/messages/{messageId}/read': 'admin',
  'POST /v1/inbox/{userId}/messages/{messageId}/dismiss': 'admin',
  'GET /v1/t/o/{token}': 'public',
  'GET /v1/t/c/{token}': 'public',
  'GET /s/{code}': 'public',
  'POST /v1/t/open': 'public',
  'POST /v1/session': 'public',
  'GET /v1/session': 'public',
  'DELETE /v1/session': 'public',
  'POST /v1/session/password': 'viewer',
  'POST /v1/unsubscribe/{token}': 'public',
  'POST /v1/twilio/status': 'public',
  'POST /v1/twilio/inbound': 'public',
  'POST /v1/bounces': 'admin',
};

const RANK = { viewer: 0, editor: 1, admin: 2 } as const;

await forEachStore((store) => {
  test('every operation of the OpenAPI document answers each role as the table says: allowed, or 403', async () => {
    const api = await startApi({ store, rateLimit: null });
    const doc = (await api.call('GET', '/openapi.json', { key: null })).body as { paths: Record<string, Record<string, unknown>> };
    const operations = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`));
    assert.deepEqual(operations.filter((op) => !(op in TABLE)), [], 'operations missing from the table: give each its access');
    assert.deepEqual(Object.keys(TABLE).filter((op) => !operations.includes(op)), [], 'operations of the table the document lacks');

    const roles = ['viewer', 'editor', 'admin'] as const;
    const callers = Object.fromEntries(
      await Promise.all(
        roles.map(async (role) => {
          await makeUser(api, `${role}@example.com`, role);
          return [role, asSession(api, await signIn(api, `${role}@example.com`, `${role}-password-1`))] as const;
        }),
      ),
    );
    const wrong: string[] = [];
    for (const operation of operations) {
      const need = TABLE[operation]!;
      if (need === 'public') continue; // their own checks (signatures, tokens) answer; signing out would end the walk
      const [method, template] = operation.split(' ') as [string, string];
      const path = template.replace(/\{[^}]+\}/g, 'x');
      for (const role of roles) {
        const answer = await callers[role]!(method, path, method === 'GET' ? undefined : {});
        const allowed = RANK[role] >= RANK[need];
        if (allowed ? answer.status === 403 || answer.status === 401 : answer.status !== 403) wrong.push(`${operation} as ${role}: ${answer.status} ${answer.body?.message ?? ''}`);
      }
    }
    assert.deepEqual(wrong, []);
  });
});
