/**
 * The world the users, messages and settings pages are looked at in, made over the API as an integration
 * would: project settings, three journeys built to give each reason a message can go unsent, profiles and
 * events. What each user must see is worked out here by hand, from these definitions.
 *
 * - Settings: the project's zone is Asia/Tokyo (UTC+9, no daylight saving); one push a day at most.
 * - "welcome" (Signed Up): push, a second push, an email. A user with a push token and no email gets the
 *   first push; the second is capped (frequency_cap); the email has no address (no_email). With an email but
 *   emailOptOut, the email is unsubscribed.
 * - "quiet-hours" (Signed Up, ignores the caps): one push, inside do-not-disturb hours that cover the whole
 *   test (from the hour before it starts to two hours after, UTC), skipped rather than deferred (dnd).
 * - "held-out" (Opened App, which only ada and bob send): 50% control group. ada and bob fall in it (src/core/bucket.ts gives them buckets
 *   23 and 8, under 50; the test checks this first): they get no message from it.
 * - abandoned-cart (the example): cy abandons a cart, gets its push, then pays: the SMS and email are not
 *   reached because the goal was met.
 * - ada also has 60 "Viewed Page" events a minute apart from 2026-11-01T00:00:00Z (09:00 in Tokyo), older than
 *   her sign-up, so her timeline runs past one page; 20 more users sign up so the log runs past one page.
 */
import assert from 'node:assert/strict';
import { bucketOf } from '../../src/core/bucket.ts';
import { eventually } from '../api/helpers.ts';
import type { Served } from './browser-fixture.ts';

export const CROWD = Array.from({ length: 20 }, (_, i) => `crowd-${String(i + 1).padStart(2, '0')}`);
export const VIEWS = 60;
export const FIRST_VIEW = Date.UTC(2026, 10, 1, 0, 0, 0);

const push = (id: string, title: string) => ({ id, kind: 'send', channel: 'push', message: { title, body: `${title}, {{ Profile.name | default: "there" }}` } });
const chain = (ids: string[]) => ids.slice(1).map((to, i) => ({ from: ids[i]!, to }));

function journeys(now: Date) {
  const hour = now.getUTCHours();
  const clock = (h: number) => `${String((h + 24) % 24).padStart(2, '0')}:00`;
  const signedUp = { id: 'signed-up', kind: 'entry', trigger: { type: 'action', event: 'Signed Up' } };
  const done = { id: 'done', kind: 'exit' };
  return {
    welcome: {
      name: 'Welcome series',
      nodes: [
        signedUp,
        push('welcome-push', 'Welcome aboard'),
        push('tips-push', 'Three tips to start'),
        { id: 'welcome-email', kind: 'send', channel: 'email', message: { subject: 'Welcome', body: '<p>Glad you are here.</p>' } },
        done,
      ],
      edges: chain(['signed-up', 'welcome-push', 'tips-push', 'welcome-email', 'done']),
    },
    'quiet-hours': {
      name: 'Quiet hours check',
      setup: { timezone: 'UTC', ignoreFrequencyCaps: true, dnd: { start: clock(hour - 1), end: clock(hour + 2), timezone: 'journey', whenInDnd: 'skip' } },
      nodes: [signedUp, push('quiet-push', 'Good evening'), done],
      edges: chain(['signed-up', 'quiet-push', 'done']),
    },
    'held-out': {
      name: 'Held-out offer',
      setup: { controlGroupPercent: 50 },
      nodes: [{ ...signedUp, id: 'opened-app', trigger: { type: 'action', event: 'Opened App' } }, push('offer-push', 'An offer for you'), done],
      edges: chain(['opened-app', 'offer-push', 'done']),
    },
  };
}

export async function seedPages({ admin, write, call }: Served): Promise<void> {
  assert.ok(bucketOf('held-out', 'ada') < 50 && bucketOf('held-out', 'bob') < 50, 'ada and bob fall in the control group of held-out');

  await call(admin, 'PUT', '/v1/settings', { timezone: 'Asia/Tokyo', frequencyCaps: [{ max: 1, per: '1d', channel: 'push' }] });
  for (const [id, definition] of Object.entries(journeys(new Date()))) {
    await call(admin, 'POST', '/v1/journeys', { id, definition });
    await call(admin, 'POST', `/v1/journeys/${id}/publish`, {});
  }

  await call(write, 'POST', '/v1/profiles', {
    batch: [
      { userId: 'ada', traits: { name: 'Ada', pushToken: 'tok-ada', plan: 'pro' } },
      { userId: 'bob', traits: { name: 'Bob', pushToken: 'tok-bob', email: 'bob@example.com', emailOptOut: true } },
      { userId: 'cy', traits: { name: 'Cy', pushToken: 'tok-cy' } },
      ...CROWD.map((userId) => ({ userId, traits: { pushToken: `tok-${userId}` } })),
    ],
  });
  const views = Array.from({ length: VIEWS }, (_, n) => ({ userId: 'ada', event: 'Viewed Page', timestamp: FIRST_VIEW + n * 60_000, messageId: `view-${n}`, properties: { path: `/p/${n}` } }));
  await call(write, 'POST', '/v1/events', { batch: views });
  const signUps = ['ada', 'bob', ...CROWD].map((userId) => ({ userId, event: 'Signed Up', messageId: `signup-${userId}` }));
  await call(write, 'POST', '/v1/events', { batch: signUps });
  await call(write, 'POST', '/v1/events', { batch: ['ada', 'bob'].map((userId) => ({ userId, event: 'Opened App', messageId: `open-${userId}` })) });
  await call(write, 'POST', '/v1/events', { userId: 'cy', event: 'Added to Cart', timestamp: Date.now() - 10 * 60_000, messageId: 'cart-cy', properties: { productName: 'Lamp' } });

  // Each sign-up gives four messages (welcome three, quiet-hours one); ada's and bob's held-out passes none.
  const settled = async (userId: string, count: number) => {
    const { messages } = await call(admin, 'GET', `/v1/messages?userId=${userId}`);
    return messages.length === count && messages.every((m: { status: string }) => m.status !== 'pending') ? true : undefined;
  };
  await eventually(() => settled('ada', 4), 30_000, 'ada’s four messages');
  await eventually(() => settled('cy', 1), 30_000, 'cy’s cart push');
  await call(write, 'POST', '/v1/events', { userId: 'cy', event: 'Charged', messageId: 'paid-cy' });
  const cyExited = async () => {
    const { instances } = await call(admin, 'GET', '/v1/users/cy/journeys');
    return instances[0]?.exit?.reason === 'goal' ? true : undefined;
  };
  await eventually(cyExited, 30_000, 'cy’s goal');
  // A device id cy browsed with before signing in, merged into cy: looking it up shows cy.
  await call(write, 'POST', '/v1/identities', { anonymousId: 'device-cy', userId: 'cy' });
  await eventually(async () => {
    const { messages } = await call(admin, 'GET', '/v1/messages?limit=1000');
    return messages.length === 4 * (2 + CROWD.length) + 1 ? true : undefined;
  }, 30_000, 'every sign-up’s messages');
}
