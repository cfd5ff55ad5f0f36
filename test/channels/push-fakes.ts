/**
 * Local stand-ins for the push providers, on 127.0.0.1, each implementing its public request/response spec and
 * checking what the real service checks: FCM's OAuth2 token endpoint (RFC 7523 JWT-bearer grant, RS256 over
 * the service account's public key) and messages:send (the bearer token it issued, the types of the fields
 * Waymark sets); APNs over HTTP/2 in cleartext (the ES256 provider token, apns-topic, /3/device/<token>, an
 * apns-collapse-id of 64 bytes at most); a Web Push endpoint (RFC 8292 VAPID header, RFC 8291 aes128gcm body,
 * decrypted here with the subscription's keys, an RFC 8030 Topic of 32 base64url characters at most). Keys are
 * made per run.
 * Each answers from a script (then success) and records what it got.
 */
import { createDecipheriv, createECDH, createHash, createPublicKey, generateKeyPairSync, hkdfSync, randomBytes, verify, type KeyObject } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { after } from 'node:test';

export type Answer = { status: number; headers?: Record<string, string>; body?: unknown };

/** The claims of a compact JWS if its signature verifies with `key` under `alg`; else the reason it does not. */
export function verifiedJwt(jwt: string, alg: 'RS256' | 'ES256', key: KeyObject): { header: Record<string, unknown>; claims: Record<string, unknown> } | string {
  const parts = jwt.split('.');
  if (parts.length !== 3) return 'not a compact JWS';
  const header = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString()) as Record<string, unknown>;
  if (header.alg !== alg) return `alg ${String(header.alg)}`;
  const data = Buffer.from(`${parts[0]}.${parts[1]}`);
  const signature = Buffer.from(parts[2]!, 'base64url');
  const ok = alg === 'RS256' ? verify('sha256', data, key, signature) : verify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, signature);
  if (!ok) return 'bad signature';
  return { header, claims: JSON.parse(Buffer.from(parts[1]!, 'base64url').toString()) as Record<string, unknown> };
}

/**
 * The collapse key a push should carry, derived here apart from the sender's code: the first 32 characters of
 * base64url(sha256("waymark collapse", a NUL byte, the message id)).
 */
export function collapse(messageId: string): string {
  return createHash('sha256').update(Buffer.concat([Buffer.from('waymark collapse'), Buffer.from([0]), Buffer.from(messageId)])).digest().toString('base64url').slice(0, 32);
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) => ({ status, headers: { 'content-type': 'application/json', ...headers }, body });

function readBody(req: NodeJS.ReadableStream): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
  });
}

/**
 * FCM: a service account whose token_uri is this fake's OAuth2 endpoint (HTTP/1.1, as oauth2.googleapis.com), the
 * tokens it issued, and messages:send over HTTP/2 in cleartext (another server, as fcm.googleapis.com is another
 * host), taking 100 requests at once on a connection as Google's front ends do; the messages it took.
 */
export async function fcmFake(options: { expiresIn?: number } = {}) {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const issued = new Set<string>();
  const tokenRequests: Array<{ claims: Record<string, unknown>; header: Record<string, unknown> }> = [];
  const sends: Array<{ path: string; bearer: string; body: { message: Record<string, unknown> } }> = [];
  const answers: Answer[] = [];
  const sessions = new Set<http2.ServerHttp2Session>();
  let connections = 0;
  const oauth = createServer(async (req, res) => {
    const body = (await readBody(req)).toString();
    const reply = (a: Answer) => res.writeHead(a.status, a.headers ?? {}).end(a.body === undefined ? '' : JSON.stringify(a.body));
    if (req.method !== 'POST' || req.url !== '/token') return reply(json(404, { error: 'not_found' }));
    const form = new URLSearchParams(body);
    if (req.headers['content-type'] !== 'application/x-www-form-urlencoded' || form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') return reply(json(400, { error: 'unsupported_grant_type' }));
    const jwt = verifiedJwt(form.get('assertion') ?? '', 'RS256', publicKey);
    if (typeof jwt === 'string') return reply(json(400, { error: 'invalid_grant', error_description: jwt }));
    const c = jwt.claims;
    const iat = Number(c.iat);
    if (c.iss !== account.client_email || c.aud !== account.token_uri || c.scope !== 'https://www.googleapis.com/auth/firebase.messaging' || Number(c.exp) - iat > 3600 || Number(c.exp) <= iat) {
      return reply(json(400, { error: 'invalid_grant', error_description: 'bad claims' }));
    }
    tokenRequests.push(jwt);
    const token = `ya29.${randomBytes(12).toString('hex')}`;
    issued.add(token);
    return reply(json(200, { access_token: token, expires_in: options.expiresIn ?? 3599, token_type: 'Bearer' }));
  });
  const fcm = http2.createServer({ settings: { maxConcurrentStreams: 100 } });
  fcm.on('session', (s) => {
    connections++;
    sessions.add(s);
    s.on('close', () => sessions.delete(s));
  });
  fcm.on('stream', async (stream, headers) => {
    stream.on('error', () => {}); // a client that gave up (its timeout) resets the stream
    const body = (await readBody(stream)).toString();
    const reply = (a: Answer) => {
      if (stream.destroyed) return;
      stream.respond({ ':status': a.status, ...a.headers });
      stream.end(a.body === undefined ? '' : JSON.stringify(a.body));
    };
    const path = String(headers[':path'] ?? '');
    const match = /^\/v1\/projects\/([^/]+)\/messages:send$/.exec(path);
    if (headers[':method'] !== 'POST' || !match) return reply(json(404, { error: { code: 404, status: 'NOT_FOUND', message: 'no such method' } }));
    const bearer = /^Bearer (.+)$/.exec(String(headers.authorization ?? ''))?.[1] ?? '';
    if (!issued.has(bearer)) return reply(json(401, { error: { code: 401, status: 'UNAUTHENTICATED', message: 'Request had invalid authentication credentials.' } }));
    if (match[1] !== account.project_id) return reply(json(403, { error: { code: 403, status: 'PERMISSION_DENIED', message: 'wrong project' } }));
    const parsed = JSON.parse(body) as { message: Record<string, unknown> };
    const violation = fieldViolation(parsed.message);
    if (violation) return reply(json(400, { error: { code: 400, status: 'INVALID_ARGUMENT', message: `Invalid value at '${violation}'`, details: [{ '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: [{ field: violation }] }] } }));
    sends.push({ path, bearer, body: parsed });
    const a = answers.shift();
    return reply(a ?? json(200, { name: `projects/${account.project_id}/messages/${sends.length}` }));
  });
  await new Promise<void>((resolve) => oauth.listen(0, '127.0.0.1', resolve));
  await new Promise<void>((resolve) => fcm.listen(0, '127.0.0.1', resolve));
  after(() => {
    oauth.closeAllConnections();
    oauth.close();
    for (const s of sessions) s.destroy();
    fcm.close();
  });
  const account = {
    type: 'service_account',
    project_id: 'shop-app',
    private_key_id: 'k1',
    private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    client_email: 'waymark@shop-app.iam.gserviceaccount.com',
    token_uri: `http://127.0.0.1:${(oauth.address() as AddressInfo).port}/token`,
  };
  return {
    account,
    baseUrl: `http://127.0.0.1:${(fcm.address() as AddressInfo).port}`,
    tokenRequests,
    sends,
    answers,
    /** HTTP/2 connections the sender opened to messages:send. */
    connections: () => connections,
    /** Sends GOAWAY on every open connection to messages:send (what a front end does before it closes one). */
    goAway: () => {
      for (const s of sessions) s.close();
    },
    /** Forgets every token issued: the next send with one is a 401. */
    revokeAll: () => issued.clear(),
    unregistered: (): Answer => json(404, { error: { code: 404, status: 'NOT_FOUND', message: 'Requested entity was not found.', details: [{ '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode: 'UNREGISTERED' }] } }),
    invalidToken: (): Answer =>
      json(400, {
        error: {
          code: 400, status: 'INVALID_ARGUMENT', message: 'The registration token is not a valid FCM registration token',
          details: [{ '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode: 'INVALID_ARGUMENT' }, { '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: [{ field: 'message.token', description: 'Invalid registration token' }] }],
        },
      }),
    json,
  };
}

/**
 * The first field of an FCM message whose type FCM's schema refuses, among those Waymark sets: strings in
 * notification, data, android.notification and apns.headers; webpush.notification an object.
 */
function fieldViolation(m: Record<string, unknown>): string | null {
  const strings = (value: unknown, path: string): string | null => {
    if (value === undefined) return null;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return path;
    const bad = Object.entries(value).find(([, v]) => typeof v !== 'string');
    return bad ? `${path}.${bad[0]}` : null;
  };
  const android = m.android as { notification?: unknown } | undefined;
  const apns = m.apns as { headers?: unknown } | undefined;
  const webpush = m.webpush as { notification?: unknown } | undefined;
  if (webpush?.notification !== undefined && (typeof webpush.notification !== 'object' || webpush.notification === null)) return 'message.webpush.notification';
  return strings(m.notification, 'message.notification') ?? strings(m.data, 'message.data') ?? strings(android?.notification, 'message.android.notification') ?? strings(apns?.headers, 'message.apns.headers');
}

/** APNs over h2c: the team's .p8 key (its public half checks the provider tokens), the requests, the connections. */
export async function apnsFake() {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const requests: Array<{ path: string; headers: http2.IncomingHttpHeaders; body: Record<string, unknown>; iat: number }> = [];
  const answers: Answer[] = [];
  const sessions = new Set<http2.ServerHttp2Session>();
  let connections = 0;
  const config = { teamId: 'TEAM123456', keyId: 'KEY1234567', bundleId: 'com.shop.app' };
  const server = http2.createServer();
  server.on('session', (s) => {
    connections++;
    sessions.add(s);
    s.on('close', () => sessions.delete(s));
  });
  server.on('stream', async (stream, headers) => {
    const body = (await readBody(stream)).toString();
    const reply = (status: number, reason?: string, extra: Record<string, string> = {}) => {
      stream.respond({ ':status': status, 'apns-id': String(headers['apns-id'] ?? ''), ...extra });
      stream.end(reason ? JSON.stringify({ reason }) : '');
    };
    const path = String(headers[':path']);
    if (headers[':method'] !== 'POST' || !/^\/3\/device\/[0-9a-f]{64}$/i.test(path)) return reply(404, 'BadPath');
    const jwt = verifiedJwt(/^bearer (.+)$/.exec(String(headers.authorization ?? ''))?.[1] ?? '', 'ES256', publicKey);
    if (typeof jwt === 'string' || jwt.header.kid !== config.keyId || jwt.claims.iss !== config.teamId || typeof jwt.claims.iat !== 'number') return reply(403, 'InvalidProviderToken');
    if (headers['apns-topic'] !== config.bundleId) return reply(400, 'DeviceTokenNotForTopic');
    if (headers['apns-push-type'] !== 'alert' || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(String(headers['apns-id']))) return reply(400, 'BadRequest');
    // Apple's limit on the collapse id: 64 bytes.
    if (headers['apns-collapse-id'] !== undefined && Buffer.byteLength(String(headers['apns-collapse-id'])) > 64) return reply(400, 'BadCollapseId');
    requests.push({ path, headers, body: JSON.parse(body), iat: jwt.claims.iat });
    const a = answers.shift();
    if (a) return reply(a.status, a.body as string | undefined, a.headers);
    return reply(200);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  after(() => {
    for (const s of sessions) s.destroy();
    server.close();
  });
  return {
    ...config,
    key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    answers,
    connections: () => connections,
    /** Sends GOAWAY on every open connection (what APNs does before it closes one). */
    goAway: () => {
      for (const s of sessions) s.close();
    },
  };
}

/** The VAPID key pair of a project, base64url as web-push takes them. */
export function vapidKeys() {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  // getPrivateKey drops leading zero bytes (one key in 256): VAPID keys are 32 bytes, as web-push and the settings require.
  const key = ecdh.getPrivateKey();
  return { publicKey: ecdh.getPublicKey().toString('base64url'), privateKey: Buffer.concat([Buffer.alloc(32 - key.length), key]).toString('base64url') };
}

/** A P-256 public key object from its uncompressed point. */
function pointKey(point: Buffer): KeyObject {
  return createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: point.subarray(1, 33).toString('base64url'), y: point.subarray(33, 65).toString('base64url') }, format: 'jwk' });
}

/** RFC 8291: the plaintext of an aes128gcm body, decrypted with the user agent's key pair and auth secret. */
function decrypt(body: Buffer, ua: ReturnType<typeof createECDH>, auth: Buffer): string {
  const salt = body.subarray(0, 16);
  const idlen = body[20]!;
  const asPublic = body.subarray(21, 21 + idlen);
  const cipher = body.subarray(21 + idlen);
  const secret = ua.computeSecret(asPublic);
  const ikm = Buffer.from(hkdfSync('sha256', secret, auth, Buffer.concat([Buffer.from('WebPush: info\0'), ua.getPublicKey(), asPublic]), 32));
  const cek = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: aes128gcm\0'), 16));
  const nonce = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: nonce\0'), 12));
  const decipher = createDecipheriv('aes-128-gcm', cek, nonce);
  decipher.setAuthTag(cipher.subarray(cipher.length - 16));
  const plain = Buffer.concat([decipher.update(cipher.subarray(0, cipher.length - 16)), decipher.final()]);
  // The last record ends with the delimiter 2, then padding zeros.
  return plain.subarray(0, plain.lastIndexOf(2)).toString('utf8');
}

/** A push service: subscriptions it made (the browser's key pairs kept here), and the payloads it decrypted. */
export async function webPushFake(vapidPublicKey: string) {
  const received: Array<{ path: string; headers: IncomingHttpHeaders; payload: unknown; aud: unknown }> = [];
  const answers: Answer[] = [];
  const browsers = new Map<string, { ecdh: ReturnType<typeof createECDH>; auth: Buffer }>();
  const server = createServer(async (req, res) => {
    const body = await readBody(req);
    const reply = (status: number, text = '') => res.writeHead(status).end(text);
    const browser = browsers.get(req.url ?? '');
    if (req.method !== 'POST' || !browser) return reply(404);
    const m = /^vapid t=([^,\s]+),\s*k=([A-Za-z0-9_-]+)$/.exec(req.headers.authorization ?? '');
    if (!m || m[2] !== vapidPublicKey) return reply(401, 'bad vapid header');
    const jwt = verifiedJwt(m[1]!, 'ES256', pointKey(Buffer.from(m[2]!, 'base64url')));
    if (typeof jwt === 'string' || jwt.claims.aud !== origin || Number(jwt.claims.exp) * 1000 <= Date.now() || !/^(mailto:|https:)/.test(String(jwt.claims.sub))) return reply(403, 'bad vapid token');
    if (req.headers['content-encoding'] !== 'aes128gcm' || req.headers.ttl === undefined) return reply(400, 'not aes128gcm');
    // RFC 8030 5.4: a Topic is at most 32 characters of the URL- and filename-safe base64 alphabet.
    const topic = req.headers.topic;
    if (topic !== undefined && !/^[A-Za-z0-9_-]{1,32}$/.test(String(topic))) return reply(400, 'bad topic');
    let payload: unknown;
    try {
      payload = JSON.parse(decrypt(body, browser.ecdh, browser.auth));
    } catch {
      return reply(400, 'cannot decrypt');
    }
    received.push({ path: req.url!, headers: req.headers, payload, aud: jwt.claims.aud });
    const a = answers.shift();
    if (a) return res.writeHead(a.status, a.headers ?? {}).end(String(a.body ?? ''));
    return reply(201);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  after(() => {
    server.closeAllConnections();
    server.close();
  });
  return {
    origin,
    received,
    answers,
    /** A new browser subscription, as PushSubscription.toJSON() gives it, in its JSON text (the pushToken). */
    subscribe(name: string): string {
      const ecdh = createECDH('prime256v1');
      ecdh.generateKeys();
      const auth = randomBytes(16);
      browsers.set(`/push/${name}`, { ecdh, auth });
      return JSON.stringify({ endpoint: `${origin}/push/${name}`, expirationTime: null, keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: auth.toString('base64url') } });
    },
  };
}
