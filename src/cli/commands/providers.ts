/**
 * `waymark providers list|set|remove`: each channel's delivery provider on a running server (GET, PUT,
 * DELETE /v1/providers). Settings come from flags or a JSON file; secrets are sent, never shown back.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { CliError } from '../errors.ts';
import { adminClient, DEFAULT_URL, type ConnectionOptions } from '../http.ts';
import { port, positiveInt } from '../options.ts';
import { table } from '../table.ts';

interface ProviderView {
  channel: string;
  provider: string;
  settings: Record<string, unknown>;
  updatedAt: number | null;
}

interface SetOptions extends ConnectionOptions {
  file?: string;
  host?: string;
  port?: number;
  secure?: boolean;
  user?: string;
  password?: string;
  from?: string;
  replyTo?: string;
  returnPath?: string;
  publicUrl?: string;
  tracking?: boolean;
  timeoutMs?: number;
  secret?: string;
  generateSecret?: boolean;
  allowHost?: string[];
}

/** The provider each channel takes (as the server's PROVIDER_OF). */
const PROVIDER: Record<string, string> = { push: 'push', sms: 'twilio', whatsapp: 'twilio', email: 'smtp', webhook: 'webhook' };

const connection = (command: Command) =>
  command.option('--url <url>', `Waymark API address (env WAYMARK_URL, default ${DEFAULT_URL})`).option('--key <key>', 'admin API key (env WAYMARK_ADMIN_KEY)');

export function registerProviderCommands(program: Command): void {
  const providers = program.command('providers').description("see and set each channel's delivery provider on a running server (email: SMTP; webhook: signed POSTs; push: FCM, APNs, Web Push; sms, whatsapp: Twilio)");
  connection(providers.command('list').description("each channel's provider and settings (secrets are never shown)").option('--json', 'print the API response'))
    .action(async (options: ConnectionOptions & { json?: boolean }) => {
      const { providers: list } = await adminClient(options).request<{ providers: ProviderView[] }>('GET', '/v1/providers');
      process.stdout.write(options.json ? `${JSON.stringify({ providers: list }, null, 2)}\n` : formatProviders(list));
    });

  connection(
    providers
      .command('set')
      .description('set a channel\'s provider: email takes --host, --port, --from (and --secure, --user, --password, --reply-to, --return-path, --public-url); webhook takes --secret or --generate-secret (and --allow-host); push takes --file (fcm, apns, webpush: docs/channels.md); sms and whatsapp take Twilio settings from --file (and --from, --public-url; the auth token from env WAYMARK_TWILIO_AUTH_TOKEN). A secret left out of an update is kept')
      .argument('<channel>', 'email, webhook, push, sms or whatsapp')
      .option('--file <json>', 'the settings as a JSON object (flags override its fields)')
      .option('--host <host>', 'SMTP server')
      .option('--port <n>', 'SMTP port', port)
      .option('--secure', 'SMTP over TLS from the start (port 465)')
      .option('--user <user>', 'SMTP login')
      .option('--password <password>', 'SMTP password (env WAYMARK_SMTP_PASSWORD)')
      .option('--from <address>', 'sender, "Name <address>" or an address')
      .option('--reply-to <address>', 'reply-to address')
      .option('--return-path <address>', 'envelope sender, where bounces go (a mailbox piped to POST /v1/bounces); default the from address')
      .option('--public-url <url>', 'Waymark as recipients reach it, for one-click unsubscribe links and tracked links (https://...)')
      // Both forms declared, so neither is a default: a setting of --file stays unless a flag is given.
      .option('--tracking', 'track email opens and clicks (the default, with --public-url)')
      .option('--no-tracking', 'do not track email opens and clicks')
      .option('--timeout-ms <n>', 'per request (webhook) or SMTP step', positiveInt('--timeout-ms', 120_000))
      .option('--secret <whsec>', 'webhook signing secret, whsec_... (env WAYMARK_WEBHOOK_SECRET)')
      .option('--generate-secret', 'make a new webhook signing secret and print it (once: the server never shows it)')
      .option('--allow-host <host...>', 'hosts webhooks may reach although private or loopback'),
  ).action(async (channel: string, options: SetOptions) => {
    const provider = PROVIDER[channel];
    if (channel === 'inbox') throw new CliError('the inbox needs no provider: its messages are delivered by being stored, for apps to read (GET /v1/inbox/:userId)');
    if (!provider) throw new CliError(`${JSON.stringify(channel)} has no provider to set: email (SMTP), webhook, push, sms and whatsapp (Twilio) have one`);
    const settings: Record<string, unknown> = { ...readSettingsFile(options.file), ...flagSettings(provider, options), provider };
    let generated: string | null = null;
    if (provider === 'webhook' && options.generateSecret) {
      if (options.secret) throw new CliError('--secret and --generate-secret: give one or the other');
      generated = `whsec_${randomBytes(32).toString('base64')}`;
      settings.secret = generated;
    }
    const saved = await adminClient(options).request<ProviderView>('PUT', `/v1/providers/${channel}`, settings);
    process.stdout.write(`${channel}: ${saved.provider} set\n`);
    if (generated) process.stdout.write(`signing secret (shown once, keep it for your receivers): ${generated}\n`);
  });

  connection(providers.command('remove').description("remove a channel's provider: its messages go back to the built-in outbox").argument('<channel>', 'email, webhook or push'))
    .action(async (channel: string, options: ConnectionOptions) => {
      await adminClient(options).request('DELETE', `/v1/providers/${encodeURIComponent(channel)}`);
      process.stdout.write(`${channel}: back on the outbox\n`);
    });
}

function readSettingsFile(file: string | undefined): Record<string, unknown> {
  if (file === undefined) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new CliError(`--file ${file}: ${(error as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new CliError(`--file ${file}: must hold a JSON object of settings`);
  return parsed as Record<string, unknown>;
}

function flagSettings(provider: string, o: SetOptions): Record<string, unknown> {
  const given = (entries: Array<[string, unknown]>) => Object.fromEntries(entries.filter(([, v]) => v !== undefined));
  if (provider === 'smtp') {
    return given([
      ['host', o.host], ['port', o.port], ['secure', o.secure], ['user', o.user], ['password', o.password ?? process.env.WAYMARK_SMTP_PASSWORD],
      ['from', o.from], ['replyTo', o.replyTo], ['returnPath', o.returnPath], ['publicUrl', o.publicUrl], ['tracking', o.tracking], ['timeoutMs', o.timeoutMs],
    ]);
  }
  if (provider === 'push') return given([['timeoutMs', o.timeoutMs]]);
  if (provider === 'twilio') return given([['authToken', process.env.WAYMARK_TWILIO_AUTH_TOKEN], ['from', o.from], ['publicUrl', o.publicUrl], ['timeoutMs', o.timeoutMs]]);
  return given([['secret', o.secret ?? process.env.WAYMARK_WEBHOOK_SECRET], ['timeoutMs', o.timeoutMs], ['allowHosts', o.allowHost]]);
}

export function formatProviders(list: ProviderView[]): string {
  const shown = (v: unknown): string => {
    if (v !== null && typeof v === 'object' && (v as { set?: unknown }).set === true) return '(set)';
    if (Array.isArray(v)) return v.join(',');
    if (v !== null && typeof v === 'object') return `{${Object.entries(v).map(([k, x]) => `${k}=${shown(x)}`).join(' ')}}`; // push's per-route settings
    return String(v);
  };
  return table([
    ['CHANNEL', 'PROVIDER', 'SETTINGS'],
    ...list.map((p) => [
      p.channel,
      p.provider,
      p.provider === 'outbox' ? 'messages are recorded in the message log only' : Object.entries(p.settings).filter(([k]) => k !== 'provider').map(([k, v]) => `${k}=${shown(v)}`).join(' '),
    ]),
  ]);
}
