/**
 * Which project the dashboard's answers are for: an answer that comes after a switch of project never reaches
 * the store, one made in the current project does, and a project the server does not know is reported once.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { currentProject, forProject, projectEra, setProject, whenProjectGone } from '../../web/src/api/project-scope.ts';

/** A call whose answer the test gives. */
function call<T>() {
  let answer!: (value: T) => void;
  let fail!: (error: unknown) => void;
  const raw = new Promise<T>((resolve, reject) => ((answer = resolve), (fail = reject)));
  return { raw, answer, fail };
}

/** How `wrapped` turned out once `raw` had settled: what forProject adds runs in microtasks, done by the next turn. */
async function outcome(raw: Promise<unknown>, wrapped: Promise<unknown>): Promise<string> {
  let seen = 'pending';
  wrapped.then(
    (value) => (seen = `value ${String(value)}`),
    (error: unknown) => (seen = `error ${(error as Error).message}`),
  );
  await raw.catch(() => {});
  await new Promise((resolve) => setImmediate(resolve));
  return seen;
}

test('an answer in the same project arrives; one that comes after a switch never does', async () => {
  assert.equal(currentProject(), 'default');
  const same = call<string>();
  const kept = forProject(same.raw);
  same.answer('journeys of default');
  assert.equal(await outcome(same.raw, kept), 'value journeys of default');

  const late = call<string>();
  const dropped = forProject(late.raw);
  const failing = call<string>();
  const droppedFailure = forProject(failing.raw);
  setProject('shop-b');
  late.answer('journeys of default');
  failing.fail(new Error('the server cannot be reached'));
  assert.equal(await outcome(late.raw, dropped), 'pending');
  assert.equal(await outcome(failing.raw, droppedFailure), 'pending', 'a failure of the old project is dropped too');

  const fresh = call<string>();
  const wanted = forProject(fresh.raw);
  fresh.answer('journeys of shop-b');
  assert.equal(await outcome(fresh.raw, wanted), 'value journeys of shop-b');
  setProject('default');
});

test('a switch there and back still drops what was asked before it; a "switch" to the same project drops nothing', async () => {
  const before = call<string>();
  const wrapped = forProject(before.raw);
  setProject('shop-b');
  setProject('default');
  before.answer('x');
  assert.equal(await outcome(before.raw, wrapped), 'pending', 'the store was cleared since');

  const era = projectEra();
  const again = call<string>();
  const kept = forProject(again.raw);
  setProject('default');
  assert.equal(projectEra(), era);
  again.answer('y');
  assert.equal(await outcome(again.raw, kept), 'value y');
});

test('a project the server does not know is reported, and the call never arrives; other failures are the caller’s', async () => {
  const heard: string[] = [];
  whenProjectGone((id) => heard.push(id));
  const gone = (error: unknown, id: string) => (error as Error).message === `no project "${id}"`;

  setProject('closed-shop');
  const missing = call<string>();
  const wrapped = forProject(missing.raw, gone);
  missing.fail(new Error('no project "closed-shop"'));
  assert.equal(await outcome(missing.raw, wrapped), 'pending');
  assert.deepEqual(heard, ['closed-shop']);

  const other = call<string>();
  const refused = forProject(other.raw, gone);
  other.fail(new Error('this needs the editor role'));
  assert.equal(await outcome(other.raw, refused), 'error this needs the editor role');

  // The default project is never "gone": its failure goes to the caller.
  setProject('default');
  const main = call<string>();
  const failed = forProject(main.raw, () => true);
  main.fail(new Error('no project "default"'));
  assert.equal(await outcome(main.raw, failed), 'error no project "default"');
  assert.deepEqual(heard, ['closed-shop']);
});
