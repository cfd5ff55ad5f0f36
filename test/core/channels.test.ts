/** Why a user cannot be sent to, from their traits alone (core/channels.ts). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { unreachableReason } from '../../src/core/channels.ts';

test('a push token the provider reported dead is skipped as invalid_token until the profile has another one', () => {
  assert.equal(unreachableReason('push', { pushToken: 't1' }), null);
  assert.equal(unreachableReason('push', { pushToken: 't1', pushTokenInvalid: 't1' }), 'invalid_token');
  assert.equal(unreachableReason('push', { pushToken: 't2', pushTokenInvalid: 't1' }), null, 'a new token is valid again');
  assert.equal(unreachableReason('push', { pushTokenInvalid: 't1' }), 'no_push_token');
  assert.equal(unreachableReason('push', { pushToken: 't1', pushTokenInvalid: 't1', pushOptOut: true }), 'invalid_token');
  assert.equal(unreachableReason('email', { email: 'a@b.test', pushTokenInvalid: 'a@b.test' }), null, 'only push keeps dead addresses');
});
