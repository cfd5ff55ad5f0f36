/**
 * SMTP connections to one server, kept and reused: nodemailer's SMTPConnection speaks the protocol (greeting,
 * EHLO, STARTTLS when offered, AUTH, dot-stuffing, timeouts); this keeps the idle ones and hands each message
 * one. How many are open at once is the sender's concurrency (limiter.ts): a message takes an idle connection
 * or opens one. A connection whose message the server refused (a reply) is reset (RSET) and kept; after any
 * other error (the connection broke, a timeout) it is closed. Idle connections close after `idleMs`.
 * Why not nodemailer's pooled transport: its queue and its per-message plumbing (sendMail, plugins, envelope
 * checks) cost 300 µs of CPU a message of the sender's 540 in bench/delivery.ts with the message prebuilt.
 */
import { PassThrough } from 'node:stream';
import SMTPConnection from 'nodemailer/lib/smtp-connection';

export interface SmtpServer {
  host: string;
  port: number;
  /** TLS from the start (port 465); else STARTTLS when the server offers it. */
  secure: boolean;
  user?: string;
  password?: string;
  /** Per connection step (connecting, the greeting, each reply). */
  timeoutMs: number;
}

/** What an SMTP failure carries (nodemailer's SMTPError): the reply code, the command it answered, the reply. */
export type SmtpError = Error & { responseCode?: number; code?: string; response?: string; command?: string };

export class SmtpConnections {
  private idle: SMTPConnection[] = [];
  private closing = false;
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly server: SmtpServer,
    private readonly idleMs: number,
  ) {}

  /**
   * Sends one message; throws the SmtpError of a failure. With `beforeEnd`, the message's terminator (the end of
   * DATA, where the server takes it) waits until it resolves; rejected, the terminator never goes out, the
   * connection is closed (the server discards the message) and its error is thrown. Either way `send` settles
   * only after `beforeEnd` has.
   */
  async send(envelope: { from: string; to: string[] }, raw: string, beforeEnd?: () => Promise<void>): Promise<void> {
    clearTimeout(this.idleTimer);
    const connection = this.idle.pop() ?? (await this.connect());
    // nodemailer's DataStream writes the terminator when its source ends: a stream ended once beforeEnd resolves.
    const message = beforeEnd ? new PassThrough() : raw;
    const ended = message instanceof PassThrough ? endAfter(message, raw, beforeEnd!) : Promise.resolve(null);
    try {
      await settled(connection, (done) => connection.send(envelope, message, (error) => done(error ?? null)));
      await ended;
    } catch (error) {
      // No reply from the server (the stream destroyed, the connection broken): beforeEnd's error, if any, is why.
      const refusedEnd = await ended;
      if (refusedEnd !== null && typeof (error as SmtpError).responseCode !== 'number') {
        connection.close();
        throw refusedEnd;
      }
      if (typeof (error as SmtpError).responseCode === 'number' && !this.closing) await this.resetOrClose(connection);
      else connection.close();
      throw error;
    }
    this.release(connection);
  }

  /** Closes the idle connections now, and those in use once their message is sent. */
  close(): void {
    this.closing = true;
    clearTimeout(this.idleTimer);
    for (const c of this.idle.splice(0)) c.quit();
  }

  private connect(): Promise<SMTPConnection> {
    const s = this.server;
    const connection = new SMTPConnection({
      host: s.host,
      port: s.port,
      secure: s.secure,
      connectionTimeout: s.timeoutMs,
      greetingTimeout: s.timeoutMs,
      socketTimeout: s.timeoutMs,
    });
    // A connection that breaks while idle leaves the idle list; one in use fails its send.
    connection.on('error', () => this.drop(connection));
    connection.on('end', () => this.drop(connection));
    return settled(connection, (done) => connection.connect(() => (s.user ? connection.login({ user: s.user, pass: s.password ?? '' }, (error) => done(error ?? null)) : done(null))))
      .then(() => connection)
      .catch((error: unknown) => {
        connection.close();
        throw error;
      });
  }

  private release(connection: SMTPConnection): void {
    if (this.closing) return connection.quit();
    this.idle.push(connection);
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      for (const c of this.idle.splice(0)) c.quit();
    }, this.idleMs).unref();
  }

  /** After a refusal the session may hold part of an envelope: RSET clears it, and the connection is kept for the next message. */
  private async resetOrClose(connection: SMTPConnection): Promise<void> {
    try {
      await settled(connection, (done) => connection.reset((error) => done(error ?? null)));
      this.release(connection);
    } catch {
      connection.close();
    }
  }

  private drop(connection: SMTPConnection): void {
    this.idle = this.idle.filter((c) => c !== connection);
  }
}

/**
 * Writes the message into `stream`, then ends it once `before` resolves. Resolves with before's error when it
 * rejects (the stream destroyed: never ended), else null; never rejects.
 */
async function endAfter(stream: PassThrough, raw: string, before: () => Promise<void>): Promise<unknown> {
  stream.on('error', () => {}); // nodemailer hears it too (the send fails); none may go unheard
  stream.write(raw);
  try {
    await before();
  } catch (error) {
    const e = error ?? new Error('beforeEnd rejected');
    stream.destroy(e instanceof Error ? e : new Error(String(e))); // with an error: nodemailer's send fails at once
    return e;
  }
  // Destroyed by nodemailer when the envelope was refused: nothing more to write.
  if (!stream.destroyed) stream.end();
  return null;
}

/**
 * Runs one step on a connection and settles with its outcome, or with the error that ends the connection
 * first: SMTPConnection reports a failure to connect only as an event, never calling connect's callback
 * (test/channels/smtp.test.ts, "cannot be reached", hangs without this).
 */
function settled(connection: SMTPConnection, step: (done: (error: Error | null) => void) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const broke = (error?: Error) => finish(error ?? Object.assign(new Error('Connection closed'), { code: 'ECONNECTION' }));
    const finish = (error: Error | null) => {
      connection.removeListener('error', broke);
      connection.removeListener('end', broke);
      if (error) reject(error);
      else resolve();
    };
    connection.once('error', broke);
    connection.once('end', broke);
    step(finish);
  });
}
