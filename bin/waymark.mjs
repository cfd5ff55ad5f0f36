#!/usr/bin/env node
// Launcher: runs the compiled CLI in dist/ (`npm run build`, which `npm install` runs as `prepare`).
// From source, without a build: `npm run dev` (serve), or `node --import tsx src/cli/main.ts <command>`.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('waymark: no compiled build (dist/cli/main.js is missing): run `npm run build` first\n');
  process.exit(1);
}
const { main } = await import(entry.href);
await main(process.argv);
