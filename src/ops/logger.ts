/**
 * The process's one logger (pino): JSON lines on stdout, the level from WAYMARK_LOG_LEVEL (default info),
 * WAYMARK_LOG_FORMAT=pretty for a terminal. Fastify, the engine (its thread's errors cross to this one) and
 * the stores report through it.
 *
 * Secrets never reach a line: every logged object is copied with the values of secret-named keys replaced
 * (Authorization, cookies, passwords, tokens, API and private keys, signing secrets: by name, at any depth,
 * so a provider's new secret field is covered if it is named like one), a URL's password is hidden in any
 * string, and a request is logged with its headers so redacted and its unsubscribe token cut from the path.
 */
import { pino, stdSerializers, type DestinationStream, type Logger } from 'pino';

export type { Logger };

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const REDACTED = '[redacted]';

/** Key names (lower case, without - and _) whose values are secrets, matched at the end of a key: `authToken`, `vapidPrivateKey`, `x-api-key`. */
const SECRET_ENDINGS = [
  'authorization', 'cookie', 'pass', 'passwd', 'password', 'passcode', 'secret', 'token', 'apikey', 'privatekey',
  'accesskey', 'writekey', 'credential', 'credentials',
];

/** Whole key names that are secrets but end in nothing above: APNs's `.p8` `key`, FCM's `serviceAccount` JSON. */
const SECRET_NAMES = new Set(['key', 'serviceaccount']);

export function isSecretKey(key: string): boolean {
  const k = key.toLowerCase().replace(/[-_]/g, '');
  return SECRET_NAMES.has(k) || SECRET_ENDINGS.some((ending) => k.endsWith(ending));
}

/** `postgres://user:pw@host` shows as `postgres://user:***@host`. */
export function hideUrlPasswords(text: string): string {
  return text.replace(/(\/\/[^\s/:@]*:)[^\s/@]+@/g, '$1***@');
}

/** A copy of `value` with secrets redacted (see the file's comment). Class instances are left to their serializer. */
export function redactSecrets(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return hideUrlPasswords(value);
  if (value === null || typeof value !== 'object' || depth > 10) return value;
  if (Array.isArray(value)) return value.map((v) => redactSecrets(v, depth + 1));
  const proto = Object.getPrototypeOf(value) as unknown;
  if (depth > 0 && proto !== Object.prototype && proto !== null) return value;
  const copy: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) copy[key] = isSecretKey(key) ? REDACTED : redactSecrets(v, depth + 1);
  return copy;
}

/** A request's path and query as logged: secret-named parameters and the unsubscribe token redacted. */
export function redactUrl(url: string): string {
  const [path = '', query] = url.split(/\?(.*)/s, 2);
  const shownPath = path.replace(/(\/unsubscribe\/)[^/]+/, `$1${REDACTED}`);
  if (query === undefined) return shownPath;
  const params = new URLSearchParams(query);
  for (const key of [...new Set(params.keys())]) if (isSecretKey(key)) params.set(key, REDACTED);
  return `${shownPath}?${params.toString()}`;
}

interface LoggedRequest {
  method?: string;
  url?: string;
  ip?: string;
  headers?: Record<string, unknown>;
  socket?: { remoteAddress?: string };
}

const serializers = {
  err: (error: Error) => redactSecrets({ ...stdSerializers.err(error) }),
  req: (req: LoggedRequest) => ({
    method: req.method,
    url: typeof req.url === 'string' ? redactUrl(req.url) : req.url,
    remoteAddress: req.ip ?? req.socket?.remoteAddress,
    headers: redactSecrets({ ...req.headers }),
  }),
  res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
};

export interface LoggerOptions {
  /** Default: WAYMARK_LOG_LEVEL, else info. */
  level?: string;
  /** Where lines go (default stdout). */
  destination?: DestinationStream;
  /** 'json' (default) or 'pretty'; default WAYMARK_LOG_FORMAT. */
  format?: string;
}

export class LoggerSettingError extends Error {}

export function createLogger(options: LoggerOptions = {}, env: NodeJS.ProcessEnv = process.env): Logger {
  const level = options.level ?? (env.WAYMARK_LOG_LEVEL || 'info');
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    throw new LoggerSettingError(`WAYMARK_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}; got ${JSON.stringify(level)}`);
  }
  const format = options.format ?? (env.WAYMARK_LOG_FORMAT || 'json');
  if (format !== 'json' && format !== 'pretty') throw new LoggerSettingError(`WAYMARK_LOG_FORMAT must be json or pretty; got ${JSON.stringify(format)}`);
  // Synchronous writes: the line saying why a process exits is written before it does.
  const out = options.destination ?? pino.destination({ dest: 1, sync: true });
  return pino(
    {
      level,
      base: { pid: process.pid },
      serializers,
      formatters: { log: (object) => redactSecrets(object) as Record<string, unknown> },
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map((a) => (typeof a === 'string' ? hideUrlPasswords(a) : a)) as Parameters<typeof method>);
        },
      },
    },
    format === 'pretty' ? prettyLines(out) : out,
  );
}

const LEVEL_NAMES: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };

/** One readable line per record: time, level, message, the other fields as JSON; an error's stack below. */
function prettyLines(out: DestinationStream): DestinationStream {
  return {
    write(line: string) {
      let record: Record<string, unknown>;
      try {
        record = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return out.write(line);
      }
      const { time, level, msg, pid: _pid, err, ...rest } = record;
      const when = typeof time === 'number' ? new Date(time).toISOString().slice(11, 23) : '';
      const extra = Object.keys(rest).length > 0 ? ` ${JSON.stringify(rest)}` : '';
      const stack = err && typeof err === 'object' && typeof (err as { stack?: unknown }).stack === 'string' ? `\n  ${(err as { stack: string }).stack.replace(/\n/g, '\n  ')}` : '';
      out.write(`${when} ${(LEVEL_NAMES[level as number] ?? String(level)).padEnd(5)} ${String(msg ?? '')}${extra}${stack}\n`);
    },
  };
}

let processLogger: Logger | null = null;

/** The process's logger, made from the environment on first use. */
export function log(): Logger {
  if (processLogger === null) {
    try {
      processLogger = createLogger();
    } catch (error) {
      // A bad setting is refused by `waymark serve` at start; elsewhere it must not stop an error's report.
      if (!(error instanceof LoggerSettingError)) throw error;
      processLogger = createLogger({ level: 'info', format: 'json' });
    }
  }
  return processLogger;
}

/** Makes `logger` the process's (`waymark serve` sets one up from its settings). */
export function setProcessLogger(logger: Logger): void {
  processLogger = logger;
}

/** The engine's and the stores' default report of an error they cannot hand to anyone. */
export function logError(component: string): (error: unknown, where: string) => void {
  return (error, where) => log().error({ err: error, component, where }, `${component}: ${where} failed`);
}
