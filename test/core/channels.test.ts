/**
 * Who can be reached on each channel (src/core/channels.ts), from the profile's traits, worked out by hand: an
 * address (a non-empty string), not the one known dead, and no opt-out. The inbox needs no address; a webhook
 * has neither address nor opt-out.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addressOf, CHANNEL_NAMES, deadAddressTraits, unreachableReason } from '../../src/core/channels.ts';

test('the channels, in the order the canvas lists them', () => {
  assert.deepEqual(CHANNEL_NAMES, ['push', 'sms', 'email', 'whatsapp', 'inbox', 'webhook']);
});

test('each channel: its missing address, dead address and opt-out, in that order of precedence', () => {
  const cases: Array<[Parameters<typeof unreachableReason>[0], Record<string, unknown> | undefined, string | null]> = [
    ['push', undefined, 'no_push_token'],
    ['push', {}, 'no_push_token'],
    ['push', { pushToken: '' }, 'no_push_token'],
    ['push', { pushToken: 42 }, 'no_push_token'],
    ['push', { pushToken: 'tok' }, null],
    ['push', { pushToken: 'tok', pushTokenInvalid: 'tok' }, 'invalid_token'],
    ['push', { pushToken: 'tok-new', pushTokenInvalid: 'tok-old' }, null],
    ['push', { pushToken: 'tok', pushOptOut: true }, 'unsubscribed'],
    ['push', { pushToken: 'tok', pushOptOut: 'yes' }, null],
    ['push', { pushOptOut: true }, 'no_push_token'],
    ['push', { pushToken: 'tok', pushTokenInvalid: 'tok', pushOptOut: true }, 'invalid_token'],
    ['sms', { phone: '+15550001' }, null],
    ['sms', { email: 'a@b.test' }, 'no_phone'],
    ['sms', { phone: '+15550001', smsOptOut: true }, 'unsubscribed'],
    ['sms', { phone: '+15550001', emailOptOut: true }, null],
    ['whatsapp', { phone: '+15550001', whatsappOptOut: true }, 'unsubscribed'],
    ['whatsapp', { phone: '+15550001', smsOptOut: true }, null],
    ['email', { email: 'a@b.test' }, null],
    ['email', { email: 'a@b.test', emailBounced: 'a@b.test' }, 'bounced'],
    ['email', { email: 'new@b.test', emailBounced: 'a@b.test' }, null],
    ['email', { email: 'a@b.test', emailOptOut: true }, 'unsubscribed'],
    ['inbox', {}, null],
    ['inbox', undefined, null],
    ['inbox', { inboxOptOut: true }, 'unsubscribed'],
    ['webhook', undefined, null],
    ['webhook', { pushOptOut: true, emailOptOut: true }, null],
  ];
  for (const [channel, traits, reason] of cases) assert.equal(unreachableReason(channel, traits), reason, `${channel} ${JSON.stringify(traits)}`);
});

test("the address a message goes to: the channel's trait when it is a string", () => {
  assert.equal(addressOf('push', { pushToken: 'tok' }), 'tok');
  assert.equal(addressOf('sms', { phone: '+15550001', email: 'a@b.test' }), '+15550001');
  assert.equal(addressOf('whatsapp', { phone: '+15550001' }), '+15550001');
  assert.equal(addressOf('email', { email: 'a@b.test' }), 'a@b.test');
  assert.equal(addressOf('email', { email: 7 }), undefined);
  assert.equal(addressOf('email', undefined), undefined);
  assert.equal(addressOf('inbox', { email: 'a@b.test' }), undefined, 'the inbox has no address');
  assert.equal(addressOf('webhook', { email: 'a@b.test' }), undefined);
});

test('a dead address is kept in the trait that makes the next send to it skip; channels without one keep none', () => {
  assert.deepEqual(deadAddressTraits('email', 'a@b.test'), { emailBounced: 'a@b.test' });
  assert.deepEqual(deadAddressTraits('push', 'tok'), { pushTokenInvalid: 'tok' });
  assert.equal(unreachableReason('email', { email: 'a@b.test', ...deadAddressTraits('email', 'a@b.test') }), 'bounced');
  for (const channel of ['sms', 'whatsapp', 'inbox', 'webhook'] as const) assert.equal(deadAddressTraits(channel, 'x'), null, channel);
});
