/** A real SMTP server on loopback for the delivery tests, and SMTP settings pointing at it. */
import type { AddressInfo } from 'node:net';
import { after } from 'node:test';
import { SMTPServer } from 'smtp-server';
import type { SmtpConfig } from '../../src/channels/smtp.ts';

/**
 * A server that takes any login, refuses some recipients (550), defers others (451) once, and keeps each mail,
 * login and connection. `atData` is told the message so far as its DATA comes in; `atEnd` runs when it has ended
 * (its terminator came), before the server answers.
 */
export async function smtpServer(rules: { refuse?: string[]; deferOnce?: string[]; atData?: (sofar: string) => void; atEnd?: (raw: string) => Promise<void> } = {}) {
  const mails: Array<{ from: string; to: string[]; raw: string; connection: string }> = [];
  const connections: string[] = [];
  const deferred = new Set<string>();
  const logins: Array<[string, string]> = [];
  const server = new SMTPServer({
    authOptional: true,
    allowInsecureAuth: true, // loopback, no TLS: let the client log in anyway
    onAuth(auth, _session, callback) {
      logins.push([auth.username ?? '', auth.password ?? '']);
      callback(null, { user: auth.username });
    },
    disabledCommands: ['STARTTLS'],
    logger: false,
    onConnect(session, callback) {
      connections.push(session.id);
      callback();
    },
    onRcptTo(address, _session, callback) {
      const fail = (code: number, text: string) => callback(Object.assign(new Error(text), { responseCode: code }));
      if (rules.refuse?.includes(address.address)) return fail(550, 'no such user');
      if (rules.deferOnce?.includes(address.address) && !deferred.has(address.address)) {
        deferred.add(address.address);
        return fail(451, 'try again later');
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => {
        chunks.push(c);
        rules.atData?.(Buffer.concat(chunks).toString('utf8'));
      });
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        mails.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address), raw, connection: session.id });
        void (rules.atEnd?.(raw) ?? Promise.resolve()).then(() => callback(), (error: Error) => callback(error));
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { mails, logins, connections, port: (server.server.address() as AddressInfo).port };
}

export const smtpConfig = (port: number, extra: Partial<SmtpConfig> = {}): SmtpConfig => ({
  host: '127.0.0.1', port, secure: false, from: 'Shop <news@shop.test>', replyTo: 'help@shop.test', publicUrl: 'https://waymark.shop.test/', ...extra,
});

