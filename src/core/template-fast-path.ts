/**
 * Most message templates are text with a few names in them: `Hi {{ Profile.Name | default: "there" }}`. Through
 * liquidjs such a render costs about 17 µs a send (its generators, contexts and filter objects), most of what
 * deciding a timer's sends costs the engine (docs/performance.md). A template made only of text and outputs of
 * a name, each with at most a `default` of a literal, is rendered here instead, by Liquid's own rules: a name is
 * read one own property at a time (ownPropertyOnly), a nil stops the walk, `default` replaces nil, false and
 * empty text or lists, and a value prints as text. Anything else goes to liquidjs: a template with any other
 * tag, filter or expression when it is parsed, and at render time a value these rules do not print (a list, an
 * object). test/core/template-fast-path.test.ts holds both to the same output.
 */
import { Output, TypeGuards, Value, type Template } from 'liquidjs';

/** A part of a simple template: its text, or a name to print (root, then the path under it). */
type Part = string | { root: string; path: string[]; defaulted: boolean; fallback: string | number | undefined };

export type SimpleTemplate = readonly Part[];

/** Names Liquid reads by rules of their own (the size of text, a list or an object; a list's first and last): liquidjs's to read. */
const SPECIAL_KEYS = new Set(['size', 'first', 'last']);

const simple = new WeakMap<Template[], SimpleTemplate | null>();

/** The template as parts when it is simple enough to render here, else null; worked out once per parse. */
export function simpleTemplate(templates: Template[]): SimpleTemplate | null {
  let parts = simple.get(templates);
  if (parts === undefined) {
    parts = toParts(templates);
    simple.set(templates, parts);
  }
  return parts;
}

function toParts(templates: Template[]): Part[] | null {
  const parts: Part[] = [];
  for (const template of templates) {
    const text = (template as { str?: unknown }).str; // the text between tags, with `{{-` and `-}}` trims applied
    if (TypeGuards.isHTMLToken(template.token) && typeof text === 'string') {
      parts.push(text);
      continue;
    }
    const part = template instanceof Output ? outputPart(template) : null;
    if (!part) return null;
    parts.push(part);
  }
  return parts;
}

function outputPart(template: Template): Part | null {
  const args = [...(template.arguments?.() ?? [])];
  const value = args[0];
  if (args.length !== 1 || !(value instanceof Value) || value.initial.postfix.length !== 1) return null;
  const token = value.initial.postfix[0];
  if (!TypeGuards.isPropertyAccessToken(token) || token.variable !== undefined) return null;
  const names: string[] = [];
  for (const prop of token.props) {
    const content = (prop as { content?: unknown }).content;
    if (!(TypeGuards.isWordToken(prop) || TypeGuards.isQuotedToken(prop)) || typeof content !== 'string' || SPECIAL_KEYS.has(content)) return null;
    names.push(content);
  }
  // Any root: one the scope lacks reads as nil here as in liquidjs.
  const [root, ...path] = names;
  if (root === undefined) return null;
  if (value.filters.length === 0) return { root, path, defaulted: false, fallback: undefined };
  const [filter] = value.filters;
  if (value.filters.length !== 1 || filter!.name !== 'default' || filter!.args.length !== 1) return null;
  // One literal argument: text or a number (a keyword argument is a pair, neither of these).
  const [arg] = filter!.args;
  if (!(TypeGuards.isQuotedToken(arg) || TypeGuards.isNumberToken(arg))) return null;
  const fallback: unknown = arg.content;
  if (!(typeof fallback === 'string' || typeof fallback === 'number')) return null;
  return { root, path, defaulted: true, fallback };
}

const own = Object.prototype.hasOwnProperty;

/** The template rendered over `scope`, or undefined when a value is one only liquidjs prints (then render it there). */
export function renderSimple(template: SimpleTemplate, scope: Record<string, unknown>): string | undefined {
  let out = '';
  for (const part of template) {
    if (typeof part === 'string') {
      out += part;
      continue;
    }
    let value: unknown = own.call(scope, part.root) ? scope[part.root] : undefined;
    for (const key of part.path) {
      if (value === null || value === undefined) break;
      value = own.call(value, key) ? (value as Record<string, unknown>)[key] : undefined;
    }
    if (part.defaulted) value = withDefault(value, part.fallback);
    const text = printed(value);
    if (text === undefined) return undefined;
    out += text;
  }
  return out;
}

/** Liquid's `default`: the fallback for nil, false, and empty text or lists. */
function withDefault(value: unknown, fallback: unknown): unknown {
  if (typeof value === 'string' || Array.isArray(value)) return value.length > 0 ? value : fallback;
  return value === null || value === undefined || value === false ? fallback : value;
}

/** How Liquid prints a value, for the kinds JSON holds apart from lists and objects. */
function printed(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}
