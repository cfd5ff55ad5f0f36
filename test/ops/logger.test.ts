/**
 * The process's logger, read through a real destination: secrets (Authorization, the session cookie,
 * provider secrets, a database URL's password) never reach a line, and the level filters.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { SECRET_FIELDS } from '../../src/channels/providers.ts';
import { createLogger, REDACTED } from '../../src/ops/logger.ts';
import { startApi } from '../api/helpers.ts';

/** A destination that keeps every line written to it. */
function capture(): { stream: Writable; lines: () => Array<Record<string, any>>; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  const text = () => chunks.join('');
  return { stream, text, lines: () => text().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, any>) };
}

test('a logged request with an Authorization header and a session cookie shows neither', async () => {
  const out = capture();
  const api = await startApi({ logger: createLogger({ level: 'info', destination: out.stream, format: 'json' }), logRequests: true });
  const signIn = await fetch(`${api.url}/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ key: api.admin }) });
  assert.equal(signIn.status, 200);
  const cookie = signIn.headers.getSetCookie()[0]!.split(';')[0]!; // waymark_session=<id>
  const session = cookie.split('=')[1]!;
  assert.ok(session.length >= 16, 'a session id to look for');

  const withKey = await fetch(`${api.url}/v1/journeys`, { headers: { authorization: `Bearer ${api.admin}` } });
  assert.equal(withKey.status, 200);
  const withCookie = await fetch(`${api.url}/v1/session`, { headers: { cookie } });
  assert.equal(withCookie.status, 200);
  const unsubscribe = await fetch(`${api.url}/v1/unsubscribe/secret-unsubscribe-token-123`);
  await unsubscribe.arrayBuffer();

  const text = out.text();
  assert.ok(!text.includes(api.admin), 'the admin key is not in the log');
  assert.ok(!text.includes(session), 'the session id is not in the log');
  assert.ok(!text.includes('secret-unsubscribe-token-123'), 'the unsubscribe token is not in the log');
  // The requests were logged, with their headers, redacted.
  const requests = out.lines().filter((l) => l.req);
  const journeys = requests.find((l) => l.req.url === '/v1/journeys');
  assert.equal(journeys?.req.headers.authorization, REDACTED);
  const sessionRead = requests.find((l) => l.req.method === 'GET' && l.req.url === '/v1/session');
  assert.equal(sessionRead?.req.headers.cookie, REDACTED);
  assert.ok(requests.some((l) => l.req.url === `/v1/unsubscribe/${REDACTED}`));
  const answers = out.lines().filter((l) => l.res);
  assert.ok(answers.some((l) => l.res.statusCode === 200), 'answers are logged');
  assert.ok(!answers.some((l) => JSON.stringify(l).toLowerCase().includes('set-cookie')), 'no Set-Cookie header logged');
});

test('provider secrets are redacted wherever they are in a logged object', () => {
  const out = capture();
  const logger = createLogger({ level: 'info', destination: out.stream, format: 'json' });
  // Every field providers.ts declares secret, plus the names other providers' secrets have.
  const names = [...SECRET_FIELDS, 'pass', 'authToken', 'apiKey', 'api_key', 'privateKey', 'vapidPrivateKey', 'signingSecret', 'writeKey', 'x-api-key'];
  const values = names.map((name, i) => `s3cr3t-${i}-${name}`);
  const fields = Object.fromEntries(names.map((name, i) => [name, values[i]]));
  logger.info({ provider: { channel: 'email', settings: { host: 'smtp.test', ...fields } } }, 'provider saved');
  logger.info({ providers: [{ config: fields }], ...fields }, 'listed');
  const error = Object.assign(new Error('send failed'), { config: { auth: { user: 'u', pass: values[0] } }, apiKey: values[1] });
  logger.error({ err: error }, 'sender failed');
  logger.error({ url: 'postgres://waymark:pg-password-9@db:5432/waymark' }, 'cannot reach postgres://waymark:pg-password-9@db:5432/waymark');

  const text = out.text();
  for (const value of values) assert.ok(!text.includes(value), `${value} is not in the log`);
  assert.ok(!text.includes('pg-password-9'), "a database URL's password is hidden");
  const [saved, listed, failed, pg] = out.lines();
  assert.equal(saved!.provider.settings.host, 'smtp.test', 'other fields stay');
  for (const name of names) {
    assert.equal(saved!.provider.settings[name], REDACTED, name);
    assert.equal(listed![name], REDACTED, name);
    assert.equal(listed!.providers[0].config[name], REDACTED, name);
  }
  assert.equal(failed!.err.message, 'send failed');
  assert.equal(failed!.err.config.auth.pass, REDACTED);
  assert.equal(failed!.err.config.auth.user, 'u');
  assert.equal(pg!.url, 'postgres://waymark:***@db:5432/waymark');
  assert.equal(pg!.msg, 'cannot reach postgres://waymark:***@db:5432/waymark');
});

test('the level filters: below it nothing is written; WAYMARK_LOG_LEVEL sets it; a bad one is refused', () => {
  const out = capture();
  const logger = createLogger({ destination: out.stream, format: 'json' }, { WAYMARK_LOG_LEVEL: 'warn' });
  logger.trace('t');
  logger.debug('d');
  logger.info('i');
  logger.warn('w');
  logger.error('e');
  assert.deepEqual(out.lines().map((l) => [l.level, l.msg]), [[40, 'w'], [50, 'e']]);

  const all = capture();
  const debug = createLogger({ destination: all.stream, format: 'json' }, { WAYMARK_LOG_LEVEL: 'debug' });
  debug.trace('t');
  debug.debug('d');
  debug.info('i');
  assert.deepEqual(all.lines().map((l) => l.msg), ['d', 'i']);

  const byDefault = capture();
  createLogger({ destination: byDefault.stream, format: 'json' }, {}).debug('hidden');
  assert.equal(byDefault.text(), '', 'info by default: debug is not written');

  assert.throws(() => createLogger({ destination: out.stream }, { WAYMARK_LOG_LEVEL: 'verbose' }), /WAYMARK_LOG_LEVEL must be one of/);
});

test('pretty format: one readable line per record, secrets still redacted', () => {
  const out = capture();
  const logger = createLogger({ destination: out.stream, format: 'pretty', level: 'info' });
  logger.warn({ where: 'dispatch', password: 'hunter2' }, 'slow');
  const line = out.text();
  assert.match(line, /^\d\d:\d\d:\d\d\.\d\d\d WARN  slow \{"where":"dispatch","password":"\[redacted\]"\}\n$/);
});
