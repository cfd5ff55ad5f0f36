/** `waymark providers list|set|remove` against a real server: readable output, secrets never shown, clear errors. */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../helpers.ts';
import { runCli, serve } from './run.ts';

test('providers: list, set from flags and a file, a generated webhook secret shown once, remove; errors are one line', async () => {
  const dir = tempDir('waymark-cli-providers-');
  const server = await serve(join(dir, 'waymark.db'));
  const admin = /admin key: (wm_admin_\S+)/.exec(server.output().stdout)![1]!;
  const env = { WAYMARK_URL: server.url, WAYMARK_ADMIN_KEY: admin };

  const empty = await runCli(['providers', 'list'], env);
  assert.equal(empty.code, 0, empty.stderr);
  assert.match(empty.stdout, /^CHANNEL +PROVIDER +SETTINGS\npush +outbox +messages are recorded in the message log only\n/);

  const hook = await runCli(['providers', 'set', 'webhook', '--generate-secret', '--allow-host', '127.0.0.1', 'hooks.internal'], env);
  assert.equal(hook.code, 0, hook.stderr);
  const secret = /signing secret \(shown once, keep it for your receivers\): (whsec_\S+)/.exec(hook.stdout)![1]!;
  assert.equal(Buffer.from(secret.slice(6), 'base64').length, 32);

  const file = join(dir, 'smtp.json');
  writeFileSync(file, JSON.stringify({ host: 'mail.shop.test', port: 25, from: 'news@shop.test', password: 'from-the-file' }));
  const email = await runCli(['providers', 'set', 'email', '--file', file, '--port', '587', '--user', 'mailer'], env);
  assert.equal(email.code, 0, email.stderr);
  assert.equal(email.stdout, 'email: smtp set\n');

  const twilioFile = join(dir, 'twilio.json');
  writeFileSync(twilioFile, JSON.stringify({ accountSid: `AC${'1'.repeat(32)}`, from: '+15005550006' }));
  const sms = await runCli(['providers', 'set', 'sms', '--file', twilioFile, '--public-url', 'https://w.test'], { ...env, WAYMARK_TWILIO_AUTH_TOKEN: 'token-from-the-env' });
  assert.equal(sms.code, 0, sms.stderr);
  assert.equal(sms.stdout, 'sms: twilio set\n');

  const listed = await runCli(['providers', 'list'], env);
  assert.match(listed.stdout, new RegExp(`\nsms +twilio +accountSid=AC${'1'.repeat(32)} authToken=\\(set\\) from=\\+15005550006 publicUrl=https://w\\.test\n`));
  assert.match(listed.stdout, /\nemail +smtp +from=news@shop\.test host=mail\.shop\.test password=\(set\) port=587 user=mailer\n/);
  assert.match(listed.stdout, /\nwebhook +webhook +allowHosts=127\.0\.0\.1,hooks\.internal secret=\(set\)\n/);
  // --no-tracking turns tracking off; without either flag (above) the setting is left out: the server's default.
  assert.equal((await runCli(['providers', 'set', 'email', '--file', file, '--port', '587', '--user', 'mailer', '--no-tracking'], env)).code, 0);
  assert.match((await runCli(['providers', 'list'], env)).stdout, /\nemail +smtp +from=news@shop\.test host=mail\.shop\.test password=\(set\) port=587 tracking=false user=mailer\n/);
  // --return-path: where bounces go (a mailbox piped to POST /v1/bounces).
  assert.equal((await runCli(['providers', 'set', 'email', '--file', file, '--port', '587', '--user', 'mailer', '--return-path', 'bounces@shop.test'], env)).code, 0);
  assert.match((await runCli(['providers', 'list'], env)).stdout, /\nemail +smtp +from=news@shop\.test host=mail\.shop\.test password=\(set\) port=587 returnPath=bounces@shop\.test user=mailer\n/);
  const json = await runCli(['providers', 'list', '--json'], env);
  assert.ok(!json.stdout.includes(secret) && !json.stdout.includes('from-the-file') && !json.stdout.includes('token-from-the-env'), 'no secret is printed');

  const bad = await runCli(['providers', 'set', 'email', '--host', 'x', '--port', '25', '--from', 'nobody'], env);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /^waymark: PUT \/v1\/providers\/email failed with 400: .*\n  \/from: must be an email address/);
  const fax = await runCli(['providers', 'set', 'fax'], env);
  assert.equal(fax.code, 1);
  assert.equal(fax.stderr, 'waymark: "fax" has no provider to set: email (SMTP), webhook, push, sms and whatsapp (Twilio) have one\n');
  const inbox = await runCli(['providers', 'set', 'inbox'], env);
  assert.equal(inbox.stderr, 'waymark: the inbox needs no provider: its messages are delivered by being stored, for apps to read (GET /v1/inbox/:userId)\n');

  assert.equal((await runCli(['providers', 'remove', 'webhook'], env)).stdout, 'webhook: back on the outbox\n');
  const again = await runCli(['providers', 'remove', 'webhook'], env);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /404: webhook has no provider: it is on the outbox/);
  server.child.kill();
  await server.exited;
});
