/**
 * Writes the server's OpenAPI document to web/build/openapi.json without listening: the dashboard's API
 * client is generated from it (openapi-typescript), so the client cannot drift from the routes.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { openWaymark } from '../../src/app/waymark.ts';
import { buildServer } from '../../src/api/server.ts';

const out = new URL('../build/', import.meta.url);
const waymark = await openWaymark({ database: ':memory:', background: false, realtime: false });
try {
  const app = await buildServer(waymark, { dashboardDir: new URL('./no-dashboard/', out).pathname });
  await app.ready();
  mkdirSync(out, { recursive: true });
  writeFileSync(new URL('openapi.json', out), `${JSON.stringify(app.swagger(), null, 2)}\n`);
  await app.close();
} finally {
  await waymark.close();
}
console.log('openapi: wrote web/build/openapi.json');
