/**
 * The push channel's sender: the profile's pushToken picks the route. A Web Push subscription (the JSON of a
 * browser's PushSubscription: an object with endpoint and keys) goes to Web Push; 64 hexadecimal characters
 * (an APNs device token) to APNs; anything else is taken for an FCM registration token. A route whose
 * provider is not configured fails the message for good, saying so.
 */
import type { Message, SendOutcome } from '../store/store.ts';
import { ApnsClient, type ApnsConfig } from './apns.ts';
import type { ChannelSender } from './channel.ts';
import { FcmClient, type FcmConfig } from './fcm.ts';
import { limiterOf } from './limiter.ts';
import { pushTrackingData } from './tracking.ts';
import { sendWebPush, subscriptionOf, type WebPushConfig } from './web-push.ts';

export interface PushConfig {
  /** Requests in flight at once (default PUSH_CONCURRENCY). */
  concurrency?: number;
  /** Requests started a second at most (default: no limit). */
  ratePerSecond?: number;
  fcm?: FcmConfig;
  apns?: ApnsConfig;
  webpush?: WebPushConfig;
}

export type PushRoute = 'fcm' | 'apns' | 'webpush';

/**
 * Requests in flight at once by default: throughput is at most this many per answer time. bench/delivery.ts, a
 * provider answering in 100 ms: 500 held FCM to 4,132 pushes a second, 1,000 took it to 5,862 (issue 11's
 * target is 5,000), the sender's CPU the limit. FCM and APNs take this many on a handful of HTTP/2
 * connections (100 streams each on Google's front ends, 500 on APNs's).
 */
export const PUSH_CONCURRENCY = 1_000;

export function routeOf(token: string): PushRoute {
  if (subscriptionOf(token)) return 'webpush';
  if (/^[0-9a-fA-F]{64}$/.test(token)) return 'apns';
  return 'fcm';
}

/**
 * The push sender, and close() for its FCM and APNs connections (when its settings change). With the project's tracking
 * key, each push carries its open token in its data (tracking.ts), for the app to post when the user opens it.
 */
export function pushSender(config: PushConfig, trackingKey?: Buffer): ChannelSender & { close(): void } {
  const fcm = config.fcm ? new FcmClient(config.fcm) : null;
  const apns = config.apns ? new ApnsClient(config.apns) : null;
  const limiter = limiterOf(config, PUSH_CONCURRENCY);

  const deliver = async (sent: Message, now: () => number): Promise<SendOutcome> => {
    const m: Message = trackingKey && sent.content ? { ...sent, content: { ...sent.content, data: pushTrackingData(trackingKey, sent.id) } } : sent;
    const token = m.content?.to ?? '';
    const route = routeOf(token);
    const outcome = (x: Omit<SendOutcome, 'id' | 'at' | 'provider'>): SendOutcome => ({ id: m.id, at: now(), provider: route, ...x });
    if (token === '') return outcome({ status: 'failed', error: 'no_push_token' });
    if (route === 'webpush') {
      const subscription = subscriptionOf(token)!;
      return outcome(config.webpush ? await sendWebPush(config.webpush, m, token, subscription, now) : unconfigured(route));
    }
    if (route === 'apns') return outcome(apns ? await apns.send(m, token, now) : unconfigured(route));
    return outcome(fcm ? await fcm.send(m, token, now) : unconfigured(route));
  };

  return {
    name: 'push',
    send: (messages, now, options) => limiter.all(messages, (m) => deliver(m, now), options?.starting, options?.settled),
    close() {
      fcm?.close();
      apns?.close();
    },
  };
}

const NAMES: Record<PushRoute, string> = { fcm: 'an FCM token', apns: 'an APNs device token', webpush: 'a Web Push subscription' };

function unconfigured(route: PushRoute): { status: 'failed'; error: string } {
  return { status: 'failed', error: `no_provider: the push token is ${NAMES[route]}, and the push settings have no ${route}` };
}
