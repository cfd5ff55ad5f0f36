/**
 * Everything under src/ logs through the one logger (src/ops/logger.ts), and a command's output goes to
 * process.stdout/stderr: no `console.` call anywhere, whichever change brings one.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';

const root = new URL('../../src/', import.meta.url).pathname;

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return files(path);
    return /\.(ts|tsx|js|mjs)$/.test(entry.name) ? [path] : [];
  });
}

/** The code without comments (a comment may name console.error); strings stay, close enough for this check. */
const withoutComments = (code: string) => code.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');

const CONSOLE_CALL = /\bconsole\s*(\.|\[)/;

test('the check finds a console call, and not one in a comment', () => {
  assert.ok(CONSOLE_CALL.test(withoutComments("x();\n  console.error('boom');")));
  assert.ok(CONSOLE_CALL.test(withoutComments('globalThis.console .log(1)')));
  assert.ok(!CONSOLE_CALL.test(withoutComments('// console.log(1)\n/* console.warn() */ const a = 1;')));
});

test('no console calls under src/', () => {
  const all = files(root);
  assert.ok(all.length > 100, 'the source files were found');
  const offenders = all.flatMap((file) =>
    withoutComments(readFileSync(file, 'utf8'))
      .split('\n')
      .flatMap((line, i) => (CONSOLE_CALL.test(line) ? [`src/${relative(root, file)}:${i + 1}: ${line.trim()}`] : [])),
  );
  assert.deepEqual(offenders, [], 'use the logger (src/ops/logger.ts) or process.stdout/stderr.write');
});
