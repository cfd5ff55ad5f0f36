/**
 * openLines: a text file as numbered lines, a chunk at a time. Whatever the chunk size, the lines are the file's
 * own as Node decodes the whole file (characters of several bytes cut by a chunk, CRLF cut between its two bytes,
 * a line longer than many chunks, blank lines counted but skipped, a last line without its newline, bytes that are
 * not UTF-8).
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { openLines, type Line } from '../../src/sim/lines.ts';
import { tempDir } from '../helpers.ts';

/** The lines as the whole file decoded at once gives them: the expectation, by another road. */
function wholeFile(file: string): Line[] {
  const parts = readFileSync(file, 'utf8').split('\n');
  return parts.flatMap((part, i) => {
    const text = part.endsWith('\r') ? part.slice(0, -1) : part;
    return text.length > 0 ? [{ n: i + 1, text }] : [];
  });
}

async function read(file: string, chunkBytes: number): Promise<{ lines: Line[]; chunks: number }> {
  const lines: Line[] = [];
  let chunks = 0;
  for await (const chunk of await openLines(file, 'file', chunkBytes)) {
    chunks += 1;
    lines.push(...chunk);
  }
  return { lines, chunks };
}

test('lines come out whole and numbered, whatever the chunk size cuts', async () => {
  const dir = tempDir();
  const file = join(dir, 'lines.ndjson');
  const text = [
    '{"name":"é€😀 across chunks"}',
    '',
    '{"crlf":true}\r',
    `{"long":"${'x€'.repeat(5_000)}"}`,
    '\r',
    '{"last":"no newline after it, ends in 😀"}',
  ].join('\n');
  writeFileSync(file, text);
  const expected = wholeFile(file);
  assert.deepEqual(expected.map((l) => l.n), [1, 3, 4, 6]);
  for (const chunkBytes of [1, 2, 3, 5, 7, 64, 1 << 18]) {
    const { lines } = await read(file, chunkBytes);
    assert.deepEqual(lines, expected, `chunks of ${chunkBytes} bytes`);
  }
});

test('bytes that are not UTF-8 read as the whole file decoded reads them; a file ending in a newline has no extra line', async () => {
  const dir = tempDir();
  const file = join(dir, 'bad.ndjson');
  writeFileSync(file, Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xff, 0xc3]), Buffer.from('"}\n{"b":1}\r\n'), Buffer.from([0xe2, 0x82])]));
  const expected = wholeFile(file);
  assert.equal(expected.length, 3);
  for (const chunkBytes of [1, 4, 1 << 18]) assert.deepEqual((await read(file, chunkBytes)).lines, expected, `chunks of ${chunkBytes} bytes`);
  const ends = join(dir, 'ends.ndjson');
  writeFileSync(ends, '{"a":1}\n{"b":2}\n');
  assert.deepEqual((await read(ends, 3)).lines, [{ n: 1, text: '{"a":1}' }, { n: 2, text: '{"b":2}' }]);
});

test('a chunk hands out every line it completes at once', async () => {
  const dir = tempDir();
  const file = join(dir, 'many.ndjson');
  writeFileSync(file, Array.from({ length: 1_000 }, (_, i) => `{"i":${i}}`).join('\n') + '\n');
  const { lines, chunks } = await read(file, 1 << 18);
  assert.equal(lines.length, 1_000);
  assert.equal(chunks, 1, 'the whole file is one read');
});
