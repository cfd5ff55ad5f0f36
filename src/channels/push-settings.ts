/**
 * The push channel's provider settings: any of FCM (a service account), APNs (a .p8 key) and Web Push (VAPID
 * keys), each for the tokens of its kind (push.ts routes them). The secrets (the service account's JSON, the
 * .p8 key, the VAPID private key) are write-only like every provider's (providers.ts). What the schema cannot
 * say is checked here, each problem naming its field: the keys must parse, and must be of the right kind.
 */
import { createECDH, createPrivateKey } from 'node:crypto';
import Type, { type Static } from 'typebox';
import type { Problem } from '../core/problem.ts';
import { APNS_PRODUCTION, APNS_SANDBOX } from './apns.ts';
import { FCM_BASE_URL, type ServiceAccount } from './fcm.ts';
import { isHttpUrl } from './http-request.ts';
import { MAX_CONCURRENCY, RatePerSecond } from './limiter.ts';
import type { PushConfig } from './push.ts';
import { WEB_PUSH_TTL_SECONDS } from './web-push.ts';

const WRITE_ONLY = 'Write-only: never returned; leave it out of an update to keep the one set';
const BaseUrl = (what: string) => Type.Optional(Type.String({ maxLength: 2000, description: `Replaces ${what} (a test server)` }));

export const PushSettings = Type.Object(
  {
    provider: Type.Literal('push'),
    fcm: Type.Optional(
      Type.Object(
        {
          serviceAccount: Type.Optional(Type.String({ maxLength: 20_000, description: `The service account's JSON key file, as downloaded. ${WRITE_ONLY}` })),
          baseUrl: BaseUrl(FCM_BASE_URL),
        },
        { additionalProperties: false, description: 'Firebase Cloud Messaging (HTTP v1): for FCM registration tokens' },
      ),
    ),
    apns: Type.Optional(
      Type.Object(
        {
          teamId: Type.String({ minLength: 10, maxLength: 10, description: 'The Apple developer team id' }),
          keyId: Type.String({ minLength: 10, maxLength: 10, description: 'The id of the .p8 key' }),
          key: Type.Optional(Type.String({ maxLength: 4000, description: `The .p8 key (PEM, EC P-256). ${WRITE_ONLY}` })),
          bundleId: Type.String({ minLength: 1, maxLength: 255, description: "The app's bundle id (the apns-topic)" }),
          production: Type.Optional(Type.Boolean({ description: `${APNS_PRODUCTION} when true, else ${APNS_SANDBOX}. Default false` })),
          baseUrl: BaseUrl('the APNs origin'),
        },
        { additionalProperties: false, description: 'Apple Push Notification service: for 64-hex-character device tokens' },
      ),
    ),
    webpush: Type.Optional(
      Type.Object(
        {
          publicKey: Type.String({ minLength: 1, maxLength: 200, description: 'VAPID public key (base64url, the 65-byte P-256 point)' }),
          privateKey: Type.Optional(Type.String({ maxLength: 200, description: `VAPID private key (base64url, 32 bytes). ${WRITE_ONLY}` })),
          subject: Type.String({ minLength: 1, maxLength: 500, description: 'mailto: or https: URL the push services can reach you at' }),
          ttlSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 2_419_200, description: `How long a push service keeps an undelivered message. Default ${WEB_PUSH_TTL_SECONDS}` })),
          allowHosts: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 255 }), { maxItems: 100, description: 'Endpoint hosts allowed although loopback or private (and over plain http)' })),
        },
        { additionalProperties: false, description: 'Web Push (VAPID): for browser push subscriptions' },
      ),
    ),
    timeoutMs: Type.Optional(Type.Integer({ minimum: 100, maximum: 60_000, description: 'Per request. Default 10000' })),
    concurrency: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_CONCURRENCY, description: 'Requests in flight at once, all routes together: throughput is about this many per answer time. Default 1,000' })),
    ratePerSecond: RatePerSecond,
  },
  { additionalProperties: false },
);
export type PushSettings = Static<typeof PushSettings>;

export const PUSH_TIMEOUT_MS = 10_000;
const ACCOUNT_FIELDS = ['project_id', 'client_email', 'private_key', 'token_uri'] as const;

/** The service account from its JSON, or what is wrong with it. */
function serviceAccountOf(text: string): ServiceAccount | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return "must be the service account's JSON key file (it is not JSON)";
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return "must be the service account's JSON key file (an object)";
  const account = parsed as Record<string, unknown>;
  const missing = ACCOUNT_FIELDS.filter((f) => typeof account[f] !== 'string' || account[f] === '');
  if (missing.length > 0) return `lacks ${missing.join(', ')}: use the JSON key file of a service account`;
  try {
    if (createPrivateKey(String(account.private_key)).asymmetricKeyType !== 'rsa') return 'has a private_key that is not an RSA key';
  } catch {
    return 'has a private_key that is not a PEM private key';
  }
  if (!isHttpUrl(String(account.token_uri))) return 'has a token_uri that is not an http(s) URL';
  return account as unknown as ServiceAccount;
}

/** Base64url text of exactly `bytes` bytes. */
function b64urlBytes(text: string, bytes: number): Buffer | null {
  if (!/^[A-Za-z0-9_-]+={0,2}$/.test(text)) return null;
  const raw = Buffer.from(text, 'base64url');
  return raw.length === bytes ? raw : null;
}

export function pushProblems(s: PushSettings): Problem[] {
  const problems: Problem[] = [];
  const add = (path: string, message: string) => problems.push({ path, message });
  if (!s.fcm && !s.apns && !s.webpush) add('/provider', 'push needs at least one of fcm, apns or webpush');
  if (s.fcm) {
    if (s.fcm.serviceAccount === undefined) add('/fcm/serviceAccount', "is required: the service account's JSON key file");
    else {
      const account = serviceAccountOf(s.fcm.serviceAccount);
      if (typeof account === 'string') add('/fcm/serviceAccount', account);
    }
    if (s.fcm.baseUrl !== undefined && !isHttpUrl(s.fcm.baseUrl)) add('/fcm/baseUrl', 'must be an http(s) URL');
  }
  if (s.apns) {
    if (!/^[A-Z0-9]{10}$/.test(s.apns.teamId)) add('/apns/teamId', 'must be the 10-character team id (capital letters and digits)');
    if (!/^[A-Z0-9]{10}$/.test(s.apns.keyId)) add('/apns/keyId', 'must be the 10-character key id (capital letters and digits)');
    if (!/^[A-Za-z0-9.-]+$/.test(s.apns.bundleId)) add('/apns/bundleId', 'must be a bundle id, e.g. com.example.app');
    if (s.apns.key === undefined) add('/apns/key', 'is required: the .p8 key from Apple');
    else {
      let curve: string | undefined;
      try {
        curve = createPrivateKey(s.apns.key).asymmetricKeyDetails?.namedCurve;
      } catch {
        curve = undefined;
      }
      if (curve !== 'prime256v1') add('/apns/key', 'must be the .p8 key: a PEM EC P-256 private key');
    }
    if (s.apns.baseUrl !== undefined && !isHttpUrl(s.apns.baseUrl)) add('/apns/baseUrl', 'must be an http(s) URL');
  }
  if (s.webpush) {
    const pub = b64urlBytes(s.webpush.publicKey, 65);
    if (!pub || pub[0] !== 4) add('/webpush/publicKey', 'must be a VAPID public key: base64url of a 65-byte P-256 point');
    const priv = s.webpush.privateKey === undefined ? null : b64urlBytes(s.webpush.privateKey, 32);
    if (s.webpush.privateKey === undefined) add('/webpush/privateKey', 'is required: the VAPID private key');
    else if (!priv) add('/webpush/privateKey', 'must be a VAPID private key: base64url of 32 bytes');
    else if (pub && pub[0] === 4) {
      let derived: Buffer | null = null;
      try {
        const ecdh = createECDH('prime256v1');
        ecdh.setPrivateKey(priv);
        derived = ecdh.getPublicKey();
      } catch {
        derived = null;
      }
      if (!derived || !derived.equals(pub)) add('/webpush/privateKey', 'is not the private key of this public key');
    }
    if (!/^(mailto:.+@.+|https:\/\/.+)$/.test(s.webpush.subject)) add('/webpush/subject', 'must be a mailto: address or an https: URL');
  }
  return problems;
}

/** The senders' configuration from settings that passed pushProblems. */
export function pushConfigOf(s: PushSettings): PushConfig {
  const timeoutMs = s.timeoutMs ?? PUSH_TIMEOUT_MS;
  const config: PushConfig = {
    ...(s.concurrency === undefined ? {} : { concurrency: s.concurrency }),
    ...(s.ratePerSecond === undefined ? {} : { ratePerSecond: s.ratePerSecond }),
  };
  if (s.fcm?.serviceAccount !== undefined) {
    const account = serviceAccountOf(s.fcm.serviceAccount);
    if (typeof account !== 'string') config.fcm = { serviceAccount: account, timeoutMs, ...(s.fcm.baseUrl === undefined ? {} : { baseUrl: s.fcm.baseUrl }) };
  }
  if (s.apns?.key !== undefined) {
    const { teamId, keyId, key, bundleId, production, baseUrl } = s.apns;
    config.apns = { teamId, keyId, key, bundleId, production: production ?? false, timeoutMs, ...(baseUrl === undefined ? {} : { baseUrl }) };
  }
  if (s.webpush?.privateKey !== undefined) {
    const { publicKey, privateKey, subject, ttlSeconds, allowHosts } = s.webpush;
    config.webpush = { publicKey, privateKey, subject, ttlSeconds: ttlSeconds ?? WEB_PUSH_TTL_SECONDS, timeoutMs, allowHosts: allowHosts ?? [] };
  }
  return config;
}
