/**
 * Request validation: Ajv over the routes' TypeBox schemas, and the translation of Ajv's errors into the
 * `problems` list the API returns (one entry per bad field, each with a JSON pointer to it).
 */
import { Ajv, type ErrorObject, type Options, type ValidateFunction } from 'ajv';
import ajvFormats from 'ajv-formats';
import type { FastifySchema, FastifySchemaCompiler } from 'fastify';
import { isValidTimeZone } from '../core/dnd.ts';
import type { Problem } from '../core/problem.ts';
import { problemsFromSchemaErrors } from '../core/schema-problems.ts';

/** The `format` of a trait that must name a real IANA zone. */
export const TIME_ZONE_FORMAT = 'iana-time-zone'; // its message is in core/schema-problems.ts

// allErrors so a client fixes every field in one round trip. Fastify turns it off by default because a
// crafted body can make Ajv do a lot of work; here the body limit and every array's maxItems bound that work.
const common: Options = { allErrors: true, removeAdditional: false, strict: true };

function makeAjv(options: Options): Ajv {
  const ajv = new Ajv({ ...common, ...options });
  // ajv-formats is CommonJS: under NodeNext its default import is the module object, whose `default` is the plugin.
  ajvFormats.default(ajv);
  ajv.addFormat(TIME_ZONE_FORMAT, { type: 'string', validate: (zone: string) => isValidTimeZone(zone) });
  return ajv;
}

/**
 * Bodies are checked as sent: no type coercion (Fastify's default would turn `"userId": 42` into "42" and
 * `null` into ""), no defaults filled in. Query strings and path params arrive as text, so they are coerced.
 */
export function createValidatorCompiler(): FastifySchemaCompiler<FastifySchema> {
  const bodyAjv = makeAjv({ coerceTypes: false, useDefaults: false });
  const textAjv = makeAjv({ coerceTypes: 'array', useDefaults: true });
  return ({ schema, httpPart }) => {
    const validate: ValidateFunction = (httpPart === 'body' ? bodyAjv : textAjv).compile(schema as object);
    return validate as ReturnType<FastifySchemaCompiler<FastifySchema>>;
  };
}

/** Turns Ajv errors into problems (the one translation, core/schema-problems.ts), marked with the request part. */
export function problemsOf(errors: ErrorObject[], part: string): Problem[] {
  const where: Pick<Problem, 'in'> = part === 'querystring' || part === 'params' || part === 'headers' ? { in: part } : {};
  return problemsFromSchemaErrors(errors).map((problem) => ({ ...problem, ...where }));
}
