/** A small client for the Waymark HTTP API, with errors turned into one readable line (and the problems listed). */
import { CliError, type Problem } from './errors.ts';

export const DEFAULT_URL = 'http://127.0.0.1:3000';

export class HttpError extends CliError {
  constructor(
    readonly status: number,
    message: string,
    problems: Problem[] = [],
    /** The server's own message, without the request line: for a command that words the error itself. */
    readonly detail = message,
  ) {
    super(message, problems);
  }
}

export class ApiClient {
  readonly baseUrl: string;

  constructor(
    baseUrl: string,
    private readonly key: string | undefined,
    private readonly keyHint: string,
  ) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    try {
      new URL(this.baseUrl);
    } catch {
      throw new CliError(`--url ${JSON.stringify(baseUrl)} is not a URL (e.g. ${DEFAULT_URL})`);
    }
  }

  async request<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T> {
    if (!this.key) throw new CliError(`no API key: pass --key or set ${this.keyHint}`);
    const url = this.baseUrl + path;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: { authorization: `Bearer ${this.key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const why = cause?.code ?? cause?.message ?? (error as Error).message;
      throw new CliError(`cannot reach the Waymark API at ${this.baseUrl} (${why}); is "waymark serve" running there?`);
    }
    const text = await response.text();
    let json: unknown = undefined;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: reported below if the status says it failed
    }
    if (!response.ok) {
      const payload = (json ?? {}) as { message?: unknown; problems?: unknown };
      const message = typeof payload.message === 'string' ? payload.message : text.slice(0, 200) || response.statusText;
      const problems = Array.isArray(payload.problems) ? (payload.problems as Problem[]).filter((p) => p && typeof p.message === 'string') : [];
      throw new HttpError(response.status, `${method} ${path} failed with ${response.status}: ${message}`, problems, message);
    }
    return json as T;
  }
}

export interface ConnectionOptions {
  url?: string;
  key?: string;
}

export function adminClient(options: ConnectionOptions): ApiClient {
  return new ApiClient(options.url ?? process.env.WAYMARK_URL ?? DEFAULT_URL, options.key ?? process.env.WAYMARK_ADMIN_KEY, 'WAYMARK_ADMIN_KEY');
}

export function writeClient(options: ConnectionOptions): ApiClient {
  return new ApiClient(options.url ?? process.env.WAYMARK_URL ?? DEFAULT_URL, options.key ?? process.env.WAYMARK_WRITE_KEY ?? process.env.WAYMARK_ADMIN_KEY, 'WAYMARK_WRITE_KEY');
}
