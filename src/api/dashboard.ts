/**
 * The dashboard: the single-page app built into web/dist (`npm run build:web`), served at / without a key.
 * The page holds no data; it signs in through POST /v1/session and reads through the API, whose access
 * rules stay as they are. Only the app's own paths answer with its page, so an unknown API path is still a
 * JSON 404 (or 401), never HTML.
 */
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The same from src/api/ and from the compiled dist/api/: two levels up is the package root. */
export const DASHBOARD_DIR = fileURLToPath(new URL('../../web/dist/', import.meta.url));

/** The app's client-side routes (web/src/router.ts): each answers with index.html. */
export const DASHBOARD_PAGES = ['/', '/journeys', '/journeys/:id', '/users', '/users/:id', '/messages', '/settings', '/keys', '/team'];

const PUBLIC = { access: 'public' } as const;
const HIDDEN = { hide: true };

/**
 * The page may load only its own scripts and styles and talk only to this server; xyflow positions nodes
 * with inline style attributes, hence 'unsafe-inline' for styles (scripts stay strict).
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export function isDashboardBuilt(dir: string = DASHBOARD_DIR): boolean {
  return existsSync(join(dir, 'index.html'));
}

export async function registerDashboard(app: FastifyInstance, dir: string = DASHBOARD_DIR): Promise<void> {
  const built = isDashboardBuilt(dir);
  if (built) await app.register(fastifyStatic, { root: dir, serve: false, index: false, dotfiles: 'deny', cacheControl: false });

  const page = async (_request: unknown, reply: FastifyReply) => {
    if (!built) {
      return reply.code(404).send({ error: 'Not Found', message: 'the dashboard is not built: run "npm run build:web", then restart the server' });
    }
    secure(reply).header('cache-control', 'no-cache');
    return reply.sendFile('index.html');
  };
  for (const path of DASHBOARD_PAGES) app.get(path, { config: PUBLIC, schema: HIDDEN }, page);
  if (!built) return;

  // Vite names assets by content hash, so a browser may keep them for good.
  app.get<{ Params: { '*': string } }>('/assets/*', { config: PUBLIC, schema: HIDDEN }, async (request, reply) => {
    secure(reply).header('cache-control', 'public, max-age=31536000, immutable');
    return reply.sendFile(join('assets', request.params['*']));
  });
  // Other top-level files of the build (the icon), one route each.
  for (const file of readdirSync(dir, { withFileTypes: true })) {
    if (!file.isFile() || file.name === 'index.html' || file.name.startsWith('.')) continue;
    app.get(`/${file.name}`, { config: PUBLIC, schema: HIDDEN }, async (_request, reply) => {
      secure(reply).header('cache-control', 'public, max-age=3600');
      return reply.sendFile(file.name);
    });
  }
}

function secure(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', CONTENT_SECURITY_POLICY)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('x-frame-options', 'DENY');
}
