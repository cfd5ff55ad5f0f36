import assert from 'node:assert/strict';
import { test } from 'node:test';
import { derivedMessageId, parseEventLine, parseProfileLine, toApiEvent } from '../../src/sim/records.ts';

const START = Date.parse('2026-01-01T00:00:00Z');

test('workload lines: timestamp = start + at, and a message id from the line number and content', () => {
  const text = '{"at":1500,"userId":"u1","event":"Added to Cart","properties":{"sku":"A"}}';
  const parsed = parseEventLine(text, 7, START)!;
  assert.equal(parsed.form, 'workload');
  assert.deepEqual({ ...parsed.event, messageId: undefined }, { messageId: undefined, userId: 'u1', name: 'Added to Cart', timestamp: START + 1500, properties: { sku: 'A' } });
  // Known answers, recorded once: "l" + the line number in base 36 padded to 7 + the first 20 hex digits of
  // sha256("<timestamp>\n<line>"). A change makes every re-import of a file a new set of events (the store no
  // longer deduplicates it against the last import): a deliberate, documented migration only.
  assert.equal(parsed.event.messageId, 'l0000007-e542cdc2a7996638d0e1');
  assert.equal(parseEventLine(text, 8, START)!.event.messageId, 'l0000008-e542cdc2a7996638d0e1', 'an identical line elsewhere is another event');
  assert.equal(parseEventLine(text, 7, START + 1)!.event.messageId, 'l0000007-2eb7e97747a55b700510', 'another start is another replay');
  assert.equal(derivedMessageId(36 ** 2, text, 0), 'l0000100-35e1234f0cf3d9d52e7d', 'line 1296 is "100" in base 36');
  assert.ok(derivedMessageId(9, text, 0) < derivedMessageId(10, text, 0), 'ids sort in file order');
});

test('native lines keep their message id and time; the API form has ISO timestamps', () => {
  const parsed = parseEventLine('{"userId":"u1","event":"Charged","timestamp":"2026-02-03T04:05:06.007Z","messageId":"m-1"}', 1, START)!;
  assert.equal(parsed.form, 'native');
  assert.deepEqual(toApiEvent(parsed.event), { messageId: 'm-1', userId: 'u1', event: 'Charged', timestamp: '2026-02-03T04:05:06.007Z', properties: {} });
});

test('bad lines name their line number', () => {
  assert.throws(() => parseEventLine('{"at":1', 3, START), /^Error: line 3: not valid JSON/);
  assert.throws(() => parseEventLine('[1]', 4, START), { message: 'line 4: expected a JSON object' });
  assert.throws(() => parseEventLine('{"userId":"u","event":"E"}', 5, START), { message: 'line 5: an event needs a "timestamp" (ISO 8601) or an "at" (ms after --start)' });
  assert.throws(() => parseEventLine('{"userId":"u","event":"E","timestamp":"yesterday"}', 6, START), { message: 'line 6: timestamp "yesterday" is not an ISO 8601 date-time' });
  assert.throws(() => parseEventLine('{"userId":"","event":"E","at":0}', 7, START), { message: 'line 7: userId must be a non-empty string' });
  assert.equal(parseEventLine('   ', 8, START), null, 'blank lines are skipped');
});

test('profiles: flat traits or a traits object', () => {
  assert.deepEqual(parseProfileLine('{"userId":"a","name":"A","email":"a@x"}', 1), { userId: 'a', traits: { name: 'A', email: 'a@x' } });
  assert.deepEqual(parseProfileLine('{"userId":"b","traits":{"name":"B"}}', 2), { userId: 'b', traits: { name: 'B' } });
  assert.throws(() => parseProfileLine('{"name":"C"}', 3), { message: 'line 3: userId must be a non-empty string' });
});
