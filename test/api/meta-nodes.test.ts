/** GET /v1/meta/nodes: the node registry and the channel table as the dashboard and outside tools read them. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Ajv } from 'ajv';
import { example } from '../helpers.ts';
import { startApi } from './helpers.ts';

test('every node kind with its branches, form fields and JSON Schema, and every channel, without a key', async () => {
  const api = await startApi();
  const response = await api.call('GET', '/v1/meta/nodes', { key: null });
  assert.equal(response.status, 200);
  const { nodes, channels, skipReasons } = response.body;
  assert.deepEqual(
    nodes.map((n: { kind: string }) => n.kind),
    ['entry', 'send', 'delay', 'wait', 'split', 'abSplit', 'updateProfile', 'exit'],
  );
  const byKind = Object.fromEntries(nodes.map((n: { kind: string }) => [n.kind, n]));
  assert.deepEqual(byKind.send.branches, [
    { name: 'next', label: 'Sent', optional: false },
    { name: 'unreachable', label: 'Unreachable', optional: true },
  ]);
  assert.deepEqual(byKind.wait.branches, [
    { name: 'yes', label: 'Yes', optional: false },
    { name: 'timeout', label: 'Timeout', optional: false },
  ]);
  assert.equal(byKind.abSplit.branchesFrom, 'variants');
  assert.deepEqual(byKind.exit.branches, []);
  assert.deepEqual(byKind.send.fields, ['channel', 'message']);
  assert.equal(byKind.delay.letsTimePass, true);
  assert.equal(byKind.split.letsTimePass, false);

  // Each served schema accepts the example's nodes of its kind and refuses a typo.
  const ajv = new Ajv({ strict: false });
  for (const node of example('abandoned-cart').nodes) {
    const validate = ajv.compile(byKind[node.kind].schema);
    assert.equal(validate(node), true, `${node.kind} ${JSON.stringify(validate.errors)}`);
    assert.equal(validate({ ...node, typo: 1 }), false);
  }

  assert.deepEqual(
    channels.map((c: { name: string; addressTrait: string | null; optOutTrait: string | null }) => [c.name, c.addressTrait, c.optOutTrait]),
    [
      ['push', 'pushToken', 'pushOptOut'],
      ['sms', 'phone', 'smsOptOut'],
      ['email', 'email', 'emailOptOut'],
      ['whatsapp', 'phone', 'whatsappOptOut'],
      ['inbox', null, 'inboxOptOut'],
      ['webhook', null, null],
    ],
  );
  const email = channels.find((c: { name: string }) => c.name === 'email');
  assert.deepEqual(
    email.fields.map((f: { name: string; required: boolean }) => [f.name, f.required]),
    [
      ['subject', true],
      ['body', true],
    ],
  );
  // What a composer needs of each field: its label, whether it is required, one line or several, how long,
  // and whether Liquid is allowed in it.
  const fieldsOf = (name: string) => channels.find((c: { name: string }) => c.name === name).fields;
  assert.deepEqual(fieldsOf('push'), [
    { name: 'title', label: 'Title', required: true, maxLength: 100_000, template: true, multiline: false },
    { name: 'body', label: 'Message', required: true, maxLength: 100_000, template: true, multiline: true },
  ]);
  assert.deepEqual(fieldsOf('sms'), [{ name: 'body', label: 'Message', required: true, maxLength: 100_000, template: true, multiline: true }]);
  assert.deepEqual(fieldsOf('whatsapp'), [{ name: 'body', label: 'Message', required: true, maxLength: 1_600, template: true, multiline: true }]);
  assert.deepEqual(fieldsOf('inbox'), [
    { name: 'title', label: 'Title', required: true, maxLength: 100_000, template: true, multiline: false },
    { name: 'body', label: 'Message', required: true, maxLength: 100_000, template: true, multiline: true },
    { name: 'url', label: 'Link (optional)', required: false, maxLength: 2000, template: false, multiline: false },
  ]);
  assert.deepEqual(fieldsOf('email'), [
    { name: 'subject', label: 'Subject', required: true, maxLength: 100_000, template: true, multiline: false },
    { name: 'body', label: 'Body (HTML)', required: true, maxLength: 100_000, template: true, multiline: true },
  ]);
  assert.deepEqual(fieldsOf('webhook'), [
    { name: 'url', label: 'URL', required: true, maxLength: 2000, template: false, multiline: false },
    { name: 'body', label: 'JSON body', required: true, maxLength: 100_000, template: true, multiline: true },
  ]);
  assert.equal(skipReasons.unsubscribed, 'skipped: the user opted out of this channel');
  assert.equal(skipReasons.no_phone, 'skipped: the profile has no phone');
  // Control users never reach a send: no message row, so no skip reason (explain says why from the instance).
  assert.equal(skipReasons.invalid_token, 'skipped: the provider reported this pushToken invalid (kept in pushTokenInvalid); a new pushToken is sent to again');
  assert.equal(skipReasons.bounced, 'skipped: the provider reported this email invalid (kept in emailBounced); a new email is sent to again');
  assert.deepEqual(Object.keys(skipReasons).sort(), ['bounced', 'dnd', 'frequency_cap', 'invalid_token', 'no_email', 'no_phone', 'no_push_token', 'unsubscribed']);

  const openapi = (await api.call('GET', '/openapi.json', { key: null })).body;
  assert.ok(openapi.paths['/v1/meta/nodes']?.get, 'documented in the OpenAPI document');
});
