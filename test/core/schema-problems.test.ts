/**
 * The translation of JSON Schema errors into problems a person can act on (src/core/schema-problems.ts). The
 * errors are written by hand in the two shapes the product meets: TypeBox's (the journey document, settings,
 * the CLI) and Ajv's (Fastify's checks of request bodies). Each expected problem is what a marketer should read.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import Type from 'typebox';
import { Compile } from 'typebox/compile';
import { Settings } from 'typebox/system';
import { allErrors, escapePointer, problemsFromSchemaErrors, type SchemaError } from '../../src/core/schema-problems.ts';

/** Ajv's error about a property's name carries the name beside the error. */
function aboutName(e: SchemaError, propertyName: unknown): SchemaError {
  return { ...e, propertyName } as SchemaError;
}

function error(keyword: string, schemaPath: string, instancePath: string, params: Record<string, unknown> = {}, message?: string): SchemaError {
  return { keyword, schemaPath, instancePath, params, ...(message === undefined ? {} : { message }) };
}

test('a missing field and an unknown field are one problem each, at their own path, in both shapes', () => {
  // TypeBox lists every missing and every unknown field in one error; Ajv writes one error per field.
  assert.deepEqual(
    problemsFromSchemaErrors([
      error('required', '#', '', { requiredProperties: ['name', 'nodes'] }),
      error('additionalProperties', '#', '', { additionalProperties: ['colour'] }),
    ]),
    [
      { path: '/colour', message: 'unknown field colour' },
      { path: '/name', message: 'missing required field name' },
      { path: '/nodes', message: 'missing required field nodes' },
    ],
  );
  assert.deepEqual(
    problemsFromSchemaErrors([
      error('required', '#/required', '/setup', { missingProperty: 'entry' }),
      error('additionalProperties', '#/additionalProperties', '/setup', { additionalProperty: 'a/b~c' }),
    ]),
    [
      { path: '/setup/a~1b~0c', message: 'unknown field a/b~c' },
      { path: '/setup/entry', message: 'missing required field entry' },
    ],
  );
});

test('the prefix is put before every path, and an error about the whole value is at "/"', () => {
  assert.deepEqual(problemsFromSchemaErrors([error('type', '#', '', { type: 'object' }, 'must be object')]), [{ path: '/', message: 'must be object' }]);
  assert.deepEqual(problemsFromSchemaErrors([error('type', '#', '', { type: 'object' }, 'must be object')], '/batch/3'), [
    { path: '/batch/3', message: 'must be object' },
  ]);
  assert.deepEqual(problemsFromSchemaErrors([error('required', '#', '/a', { requiredProperties: ['b'] })], '/body'), [
    { path: '/body/a/b', message: 'missing required field b' },
  ]);
});

test('messages: formats, the duration pattern and constants are said in words; other errors keep their own message', () => {
  const cases: Array<[SchemaError, string]> = [
    [error('format', '#', '/at', { format: 'date-time' }, 'must match format "date-time"'), 'must be an ISO 8601 date-time with a zone, e.g. "2026-11-02T15:00:00Z"'],
    [error('format', '#', '/zone', { format: 'iana-time-zone' }, 'must match format'), 'must be an IANA time zone, e.g. "Europe/Paris"'],
    [error('format', '#', '/mail', { format: 'email' }, 'must match format "email"'), 'must match format "email"'],
    [error('format', '#', '/mail', { format: 'email' }), 'has the wrong format'],
    [error('pattern', '#', '/wait', { pattern: '^[1-9][0-9]*(ms|s|m|h|d)$' }, 'must match pattern'), 'must be a duration: a whole number above 0 and a unit, e.g. "90s", "2h", "7d"'],
    [error('pattern', '#', '/id', { pattern: '^[a-z]+$' }, 'must match pattern "^[a-z]+$"'), 'must match pattern "^[a-z]+$"'],
    [error('const', '#', '/kind', { allowedValue: 'push' }, 'must be equal to constant'), 'must be "push"'],
    [error('maxLength', '#', '/name', { limit: 200 }, 'must NOT have more than 200 characters'), 'must NOT have more than 200 characters'],
    [error('maxLength', '#', '/name', { limit: 200 }), 'fails maxLength'],
  ];
  for (const [input, message] of cases) assert.deepEqual(problemsFromSchemaErrors([input]), [{ path: input.instancePath, message }], input.keyword);
});

test('the same problem twice is said once; the same message at two paths is said at each', () => {
  const twice = error('type', '#/items', '/l/1', { type: 'integer' }, 'must be integer');
  assert.deepEqual(problemsFromSchemaErrors([twice, { ...twice }, error('type', '#/items', '/l/2', { type: 'integer' }, 'must be integer')]), [
    { path: '/l/1', message: 'must be integer' },
    { path: '/l/2', message: 'must be integer' },
  ]);
});

test('problems come in document order: list positions by number, names by character, a parent before its fields', () => {
  const at = (instancePath: string) => error('type', '#', instancePath, {}, 'wrong');
  const paths = problemsFromSchemaErrors(['/batch/10', '/batch/2', '/b', '/batch/2/x', '/a/z', '', '/batch/1e1', '/a'].map(at)).map((p) => p.path);
  // '/batch/1e1' is a name, not a position: compared by character with '10' and '2'.
  assert.deepEqual(paths, ['/', '/a', '/a/z', '/b', '/batch/2', '/batch/2/x', '/batch/10', '/batch/1e1']);
  assert.deepEqual(problemsFromSchemaErrors([at('/x/b'), at('/x/a'), at('/w')]).map((p) => p.path), ['/w', '/x/a', '/x/b']);
});

test('the summary errors of "false" schemas and property names are dropped: the field-level errors say more', () => {
  assert.deepEqual(
    problemsFromSchemaErrors([
      error('boolean', '#/additionalProperties', '/zz', {}, 'schema is false'),
      error('propertyNames', '#/propertyNames', '/set', { propertyNames: [''] }, 'property names are invalid'),
      error('additionalProperties', '#', '', { additionalProperties: ['zz'] }),
    ]),
    [{ path: '/zz', message: 'unknown field zz' }],
  );
});

test('a bad property name is put at that property and says it is the name that is wrong, in both shapes', () => {
  // TypeBox points at the name already; its schema path ends at propertyNames.
  assert.deepEqual(problemsFromSchemaErrors([error('minLength', '#/properties/set/propertyNames', '/set/', { limit: 1 }, 'must NOT have fewer than 1 characters')]), [
    { path: '/set/', message: 'name must NOT have fewer than 1 characters' },
  ]);
  // Ajv points at the object and names the property apart.
  const ajv = aboutName(error('maxLength', '#/properties/set/propertyNames/maxLength', '/set', { limit: 3 }, 'must NOT have more than 3 characters'), 'a/long');
  assert.deepEqual(problemsFromSchemaErrors([ajv]), [{ path: '/set/a~1long', message: 'name must NOT have more than 3 characters' }]);
  assert.deepEqual(problemsFromSchemaErrors([aboutName(error('maxLength', '#/properties/set/propertyNames/maxLength', '/set', { limit: 3 }), 'long')]), [
    { path: '/set/long', message: 'name fails maxLength' },
  ]);
  // A propertyName that is not a string, or a schema path not under propertyNames, is an ordinary error.
  assert.deepEqual(problemsFromSchemaErrors([aboutName(error('maxLength', '#/properties/set/propertyNames/maxLength', '/set', {}, 'too long'), 7)]), [
    { path: '/set', message: 'too long' },
  ]);
  assert.deepEqual(problemsFromSchemaErrors([aboutName(error('maxLength', '#/properties/set/maxLength', '/set', {}, 'too long'), 'x')]), [
    { path: '/set', message: 'too long' },
  ]);
});

/** A TypeBox-shaped union at /a whose branches are the given constants. */
function constUnion(prefix: string, values: unknown[]): SchemaError[] {
  return [
    ...values.map((v, i) => error('const', `#/properties/a${prefix}${i}`, '/a', { allowedValue: v }, 'must be equal to constant')),
    error('anyOf', '#/properties/a', '/a', {}, 'must match a schema in anyOf'),
  ];
}

test('a value that fits no constant of a union is told the constants, in TypeBox and in Ajv shape', () => {
  const expected = [{ path: '/a', message: 'must be one of "never", "afterExit"' }];
  assert.deepEqual(problemsFromSchemaErrors(constUnion('/anyOf/', ['never', 'afterExit'])), expected);
  // Ajv's union error names the anyOf keyword in its schema path.
  const ajv = [
    error('const', '#/properties/a/anyOf/0/const', '/a', { allowedValue: 'never' }, 'must be equal to constant'),
    error('const', '#/properties/a/anyOf/1/const', '/a', { allowedValue: 'afterExit' }, 'must be equal to constant'),
    error('anyOf', '#/properties/a/anyOf', '/a', {}, 'must match a schema in anyOf'),
  ];
  assert.deepEqual(problemsFromSchemaErrors(ajv), expected);
  // With more than eight constants TypeBox would stop before the union's own error; allErrors does not.
  const many = Compile(Type.Object({ a: Type.Union(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'].map((v) => Type.Literal(v))) }));
  assert.deepEqual(problemsFromSchemaErrors(allErrors(many, { a: 'z' })), [{ path: '/a', message: 'must be one of "a", "b", "c", "d", "e", "f", "g", "h", "i"' }]);
});

test('a value of no type a union takes is told the types in words', () => {
  const union = [
    error('type', '#/properties/b/anyOf/0', '/b', { type: 'string' }, 'must be string'),
    error('type', '#/properties/b/anyOf/1', '/b', { type: 'integer' }, 'must be integer'),
    error('type', '#/properties/b/anyOf/2', '/b', { type: 'array' }, 'must be array'),
    error('type', '#/properties/b/anyOf/3', '/b', { type: 'object' }, 'must be object'),
    error('type', '#/properties/b/anyOf/4', '/b', { type: 'null' }, 'must be null'),
    error('type', '#/properties/b/anyOf/5', '/b', { type: ['number', 'boolean'] }, 'must be number,boolean'),
    error('anyOf', '#/properties/b', '/b', {}, 'must match a schema in anyOf'),
  ];
  assert.deepEqual(problemsFromSchemaErrors(union), [
    { path: '/b', message: 'must be a string, an integer, a list of these, an object, null or a number or boolean' },
  ]);
  // A constant beside a type: a constant branch reports no type, so it counts as the value's type, and is what is said.
  const mixed = [
    error('const', '#/properties/b/anyOf/0', '/b', { allowedValue: 'now' }, 'must be equal to constant'),
    error('type', '#/properties/b/anyOf/1', '/b', { type: 'integer' }, 'must be integer'),
    error('anyOf', '#/properties/b', '/b', {}, 'must match a schema in anyOf'),
  ];
  assert.deepEqual(problemsFromSchemaErrors(mixed), [{ path: '/b', message: 'must be "now"' }]);
  // A branch that reports both (Ajv's `{type: "string", const: "now"}`): constants first, then the types.
  const both = [
    error('type', '#/properties/b/anyOf/0/type', '/b', { type: 'string' }, 'must be string'),
    error('const', '#/properties/b/anyOf/0/const', '/b', { allowedValue: 'now' }, 'must be equal to constant'),
    error('type', '#/properties/b/anyOf/1/type', '/b', { type: 'integer' }, 'must be integer'),
    error('anyOf', '#/properties/b/anyOf', '/b', {}, 'must match a schema in anyOf'),
  ];
  assert.deepEqual(problemsFromSchemaErrors(both), [{ path: '/b', message: 'must be "now", a string or an integer' }]);
});

test('a value of the right type for some branches is told what those branches want, not the types it already is', () => {
  // "an ISO date-time string or an epoch number", given a string that is no date-time
  const union = [
    error('format', '#/properties/t/anyOf/0', '/t', { format: 'date-time' }, 'must match format'),
    error('type', '#/properties/t/anyOf/1', '/t', { type: 'number' }, 'must be number'),
    error('anyOf', '#/properties/t', '/t', {}, 'must match a schema in anyOf'),
  ];
  assert.deepEqual(problemsFromSchemaErrors(union), [{ path: '/t', message: 'must be an ISO 8601 date-time with a zone, e.g. "2026-11-02T15:00:00Z"' }]);
  // Two string branches with different complaints: both said, once each.
  const two = [
    error('maxLength', '#/properties/t/anyOf/0', '/t', { limit: 5 }, 'too long'),
    error('pattern', '#/properties/t/anyOf/1', '/t', { pattern: '^x' }, 'must start with x'),
    error('pattern', '#/properties/t/anyOf/2', '/t', { pattern: '^x' }, 'must start with x'),
    error('type', '#/properties/t/anyOf/3', '/t', { type: 'number' }, 'must be number'),
    error('anyOf', '#/properties/t', '/t', {}, 'must match a schema in anyOf'),
  ];
  assert.deepEqual(problemsFromSchemaErrors(two), [{ path: '/t', message: 'too long or must start with x' }]);
});

/** A union at /c of objects told apart by `field`; the value names branch 1 ('q') and has one bad field. */
function discriminated(field: string): SchemaError[] {
  return [
    error('required', '#/properties/c/anyOf/0', '/c', { requiredProperties: ['n'] }),
    error('const', `#/properties/c/anyOf/0/properties/${field}`, `/c/${field}`, { allowedValue: 'p' }, 'must be equal to constant'),
    error('type', '#/properties/c/anyOf/1/properties/s', '/c/s', { type: 'string' }, 'must be string'),
    error('anyOf', '#/properties/c', '/c', {}, 'must match a schema in anyOf'),
  ];
}

test('a union of objects told apart by `type` or `kind` keeps only the branch the value names', () => {
  assert.deepEqual(problemsFromSchemaErrors(discriminated('kind')), [{ path: '/c/s', message: 'must be string' }]);
  assert.deepEqual(problemsFromSchemaErrors(discriminated('type')), [{ path: '/c/s', message: 'must be string' }]);
  // Any other field is no discriminator: the branch that got furthest into the data wins, which here is the
  // same one, but by depth: the `name` mismatch of branch 0 is as deep, so fewer errors decides.
  assert.deepEqual(problemsFromSchemaErrors(discriminated('name')), [{ path: '/c/s', message: 'must be string' }]);
});

test('with no branch named, the one that got furthest into the data wins, then the one with fewer errors, then the first', () => {
  const deeper = [
    error('required', '#/properties/c/anyOf/0', '/c', { requiredProperties: ['n'] }),
    error('type', '#/properties/c/anyOf/1/properties/s/properties/t', '/c/s/t', { type: 'string' }, 'must be string'),
    error('required', '#/properties/c/anyOf/1', '/c', { requiredProperties: ['u'] }),
    error('anyOf', '#/properties/c', '/c', {}, 'must match a schema in anyOf'),
  ];
  assert.deepEqual(problemsFromSchemaErrors(deeper), [
    { path: '/c/s/t', message: 'must be string' },
    { path: '/c/u', message: 'missing required field u' },
  ]);
  const fewer = [
    error('required', '#/properties/c/anyOf/0', '/c', { requiredProperties: ['n'] }),
    error('required', '#/properties/c/anyOf/0', '/c', { requiredProperties: ['m'] }),
    error('required', '#/properties/c/anyOf/1', '/c', { requiredProperties: ['u'] }),
    error('anyOf', '#/properties/c', '/c', {}, 'must match a schema in anyOf'),
  ];
  assert.deepEqual(problemsFromSchemaErrors(fewer), [{ path: '/c/u', message: 'missing required field u' }]);
  const tie = [
    error('required', '#/properties/c/anyOf/0', '/c', { requiredProperties: ['n'] }),
    error('required', '#/properties/c/anyOf/1', '/c', { requiredProperties: ['u'] }),
    error('anyOf', '#/properties/c', '/c', {}, 'must match a schema in anyOf'),
  ];
  assert.deepEqual(problemsFromSchemaErrors(tie), [{ path: '/c/n', message: 'missing required field n' }]);
  // Both branches name themselves (neither has a discriminator mismatch): the same rules choose between them.
  const bothNamed = [
    error('additionalProperties', '#/properties/c/anyOf/0/additionalProperties', '/c', { additionalProperty: 'x' }),
    error('additionalProperties', '#/properties/c/anyOf/0/additionalProperties', '/c', { additionalProperty: 'y' }),
    error('additionalProperties', '#/properties/c/anyOf/1/additionalProperties', '/c', { additionalProperty: 'w' }),
    error('const', '#/properties/c/anyOf/2/properties/kind', '/c/kind', { allowedValue: 'r' }),
    error('anyOf', '#/properties/c/anyOf', '/c', {}, 'must match a schema in anyOf'),
  ];
  assert.deepEqual(problemsFromSchemaErrors(bothNamed), [{ path: '/c/w', message: 'unknown field w' }]);
});

test('a union error whose branches said nothing (errors cut short) keeps its own message; other errors stay', () => {
  assert.deepEqual(
    problemsFromSchemaErrors([
      error('type', '#/properties/a', '/a', { type: 'string' }, 'must be string'),
      error('anyOf', '#/properties/c', '/c', {}, 'must match a schema in anyOf'),
      error('type', '#/properties/z', '/z', { type: 'string' }, 'must be string'),
    ]),
    [
      { path: '/a', message: 'must be string' },
      { path: '/c', message: 'must match a schema in anyOf' },
      { path: '/z', message: 'must be string' },
    ],
  );
});

test('a `type` or `kind` that names no branch is one problem listing the kinds there are', () => {
  const errors = [
    error('required', '#/properties/c/anyOf/0', '/c', { requiredProperties: ['n'] }),
    error('const', '#/properties/c/anyOf/0/properties/kind', '/c/kind', { allowedValue: 'p' }),
    error('const', '#/properties/c/anyOf/1/properties/kind', '/c/kind', { allowedValue: 'q' }),
    error('anyOf', '#/properties/c', '/c', {}, 'must match a schema in anyOf'),
  ];
  assert.deepEqual(problemsFromSchemaErrors(errors), [{ path: '/c/kind', message: 'must be one of "p", "q"' }]);
  // Branches told apart by different fields: no one field to point at, so the usual rules choose a branch.
  const mixedFields = [
    error('const', '#/properties/c/anyOf/0/properties/kind', '/c/kind', { allowedValue: 'p' }),
    error('const', '#/properties/c/anyOf/1/properties/type', '/c/type', { allowedValue: 'q' }),
    error('required', '#/properties/c/anyOf/1', '/c', { requiredProperties: ['type'] }),
    error('anyOf', '#/properties/c', '/c', {}, 'must match a schema in anyOf'),
  ];
  assert.deepEqual(problemsFromSchemaErrors(mixedFields), [{ path: '/c/kind', message: 'must be "p"' }]);
});

test('the same union schema at many places (every item of a batch) narrows each item by its own errors only', () => {
  const item = (i: number, kind: 'p' | 'q'): SchemaError[] => [
    error('const', '#/items/anyOf/0/properties/kind', `/batch/${i}/kind`, { allowedValue: 'p' }),
    ...(kind === 'p' ? [] : [error('type', '#/items/anyOf/1/properties/s', `/batch/${i}/s`, { type: 'string' }, 'must be string')]),
    error('const', '#/items/anyOf/1/properties/kind', `/batch/${i}/kind`, { allowedValue: 'q' }),
    error('anyOf', '#/items', `/batch/${i}`, {}, 'must match a schema in anyOf'),
  ];
  // Item 1 is a `q` with a bad `s` (so its `q` constant holds); item 10 is `{"kind": "x"}`, of no kind. Item 10's
  // path starts with item 1's: it is not inside it.
  const problems = problemsFromSchemaErrors([...item(1, 'q').filter((e) => (e.params as { allowedValue?: string }).allowedValue !== 'q'), ...item(10, 'p')]);
  assert.deepEqual(problems, [
    { path: '/batch/1/s', message: 'must be string' },
    { path: '/batch/10/kind', message: 'must be one of "p", "q"' },
  ]);
});

test('a union inside a discarded branch is not narrowed again', () => {
  const errors = [
    error('const', '#/properties/c/anyOf/0/properties/kind', '/c/kind', { allowedValue: 'p' }),
    error('const', '#/properties/c/anyOf/0/properties/v/anyOf/0', '/c/v', { allowedValue: 1 }),
    error('anyOf', '#/properties/c/anyOf/0/properties/v', '/c/v', {}, 'must match a schema in anyOf'),
    error('type', '#/properties/c/anyOf/1/properties/s', '/c/s', { type: 'string' }, 'must be string'),
    error('anyOf', '#/properties/c', '/c', {}, 'must match a schema in anyOf'),
  ];
  assert.deepEqual(problemsFromSchemaErrors(errors), [{ path: '/c/s', message: 'must be string' }]);
});

test('real TypeBox errors: one problem per bad field, unions reduced to what the writer meant', () => {
  const check = Compile(
    Type.Object(
      {
        a: Type.Union([Type.Literal('x'), Type.Literal('y')]),
        b: Type.Union([Type.String(), Type.Integer()]),
        c: Type.Union([
          Type.Object({ kind: Type.Literal('p'), n: Type.Integer() }, { additionalProperties: false }),
          Type.Object({ kind: Type.Literal('q'), s: Type.String() }, { additionalProperties: false }),
        ]),
        l: Type.Array(Type.Integer()),
        t: Type.String({ format: 'date-time' }),
      },
      { additionalProperties: false },
    ),
  );
  const value = { a: 'z', b: true, c: { kind: 'q', s: 1, extra: 1 }, l: [1, 'x'], t: 'no', zz: 1 };
  assert.deepEqual(problemsFromSchemaErrors(allErrors(check, value)), [
    { path: '/a', message: 'must be one of "x", "y"' },
    { path: '/b', message: 'must be a string or an integer' },
    { path: '/c/extra', message: 'unknown field extra' },
    { path: '/c/s', message: 'must be string' },
    { path: '/l/1', message: 'must be integer' },
    { path: '/t', message: 'must be an ISO 8601 date-time with a zone, e.g. "2026-11-02T15:00:00Z"' },
    { path: '/zz', message: 'unknown field zz' },
  ]);
});

test('allErrors reads past TypeBox\'s default of 8 errors and puts the setting back, even when the check throws', () => {
  const before = Settings.Get().maxErrors;
  const check = Compile(Type.Array(Type.Integer()));
  assert.equal(allErrors(check, Array.from({ length: 20 }, () => 'x')).length, 20);
  assert.equal(Settings.Get().maxErrors, before);
  assert.throws(() =>
    allErrors(
      {
        *Errors() {
          throw new Error('broken');
        },
      },
      1,
    ),
  );
  assert.equal(Settings.Get().maxErrors, before);
});

test('escapePointer escapes "~" before "/", as RFC 6901 requires', () => {
  assert.equal(escapePointer('a/b~c'), 'a~1b~0c');
  assert.equal(escapePointer('~1'), '~01');
  assert.equal(escapePointer('//'), '~1~1');
  assert.equal(escapePointer('plain'), 'plain');
});
