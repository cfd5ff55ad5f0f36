/**
 * Message templates: the one Liquid configuration that validation, the publish checks and rendering share,
 * so what passes a check is what renders, under the same limits.
 *
 * Sandboxed: templates are untrusted (anyone who can save a journey writes them, and a profile trait can be
 * spliced into them). No template may read a file: `include`, `render` and `layout` are refused when a
 * template is parsed, and the file system Liquid is given refuses everything should anything else ask.
 * Rendering is bounded in time and allocation, and never throws: a template that fails fails its message.
 */
import { Liquid, LiquidError, Tag, TypeGuards, Value, toValueSync, type FS, type Template, type TagToken, type TopLevelToken, type Variable } from 'liquidjs';
import type { Message } from './definition.ts';
import { WAYMARK_FILTERS } from './liquid-filters.ts';
import { renderSimple, simpleTemplate } from './template-fast-path.ts';
import type { EntryEvent, ProfileView } from './instance.ts';
import type { Problem } from './problem.ts';

/** The names a template can read; anything else is blank. */
export const TEMPLATE_ROOTS: readonly string[] = ['Profile', 'Event', 'EventName'];

/** Per render of one field: a runaway loop cannot stall the batch it is in. */
export const RENDER_LIMIT_MS = 1_000;
/** Liquid's allocation budget per render (range items, string and array building). */
export const MEMORY_LIMIT = 1_000_000;
/** A literal range longer than this (`(1..100000)`) is refused when saved: no message needs it, and it courts the limits. */
export const MAX_LITERAL_RANGE = 10_000;
/** The longest rendered field stored as a message; longer fails the message. */
export const MAX_RENDERED_LENGTH = 1_000_000;

/** A failure's reason is stored with the message: Liquid's messages are short, but quote what they like. */
const MAX_ERROR_LENGTH = 500;

/** Tags that read a file, and what they are refused with. */
const FILE_TAGS = ['include', 'render', 'layout'] as const;

class FileTagRefused extends Error {
  constructor(readonly tag: string) {
    super(`templates cannot include files ({% ${tag} %})`);
  }
}

/** Registered in place of the file tags: parsing one throws, so such a template neither saves nor renders. */
class NoFileTag extends Tag {
  constructor(token: TagToken, remainTokens: TopLevelToken[], liquid: Liquid) {
    super(token, remainTokens, liquid);
    throw new FileTagRefused(token.name);
  }

  render(): void {}
}

const refuse = (file: string): never => {
  throw new Error(`templates cannot read files (${file})`);
};

/** Second line of defence: should a tag or filter ever reach for a file, there is none. */
const NO_FILES: FS = {
  exists: async () => false,
  existsSync: () => false,
  readFile: async (file) => refuse(file),
  readFileSync: refuse,
  resolve: (_dir, file) => file,
  contains: async () => false,
  containsSync: () => false,
};

const liquid = new Liquid({
  fs: NO_FILES,
  root: [],
  partials: [],
  layouts: [],
  relativeReference: false,
  dynamicPartials: false, // a trait never names a file, even if a file tag got through
  strictFilters: true, // an unknown filter is an error, not silent empty output
  ownPropertyOnly: true, // `Profile.constructor` and the like are blank
  parseLimit: 100_000, // the schema's longest template
  renderLimit: RENDER_LIMIT_MS,
  memoryLimit: MEMORY_LIMIT,
  // The standard `date` filter prints in UTC, not in whatever zone the server runs in: the same message on any
  // machine. Dates in the user's zone are `local_date`'s (liquid-filters.ts).
  timezoneOffset: 0,
});
for (const tag of FILE_TAGS) liquid.registerTag(tag, NoFileTag);
for (const [name, filter] of Object.entries(WAYMARK_FILTERS)) liquid.registerFilter(name, filter);

const parsed = new Map<string, Template[]>();

/** Parses (cached: the same texts render again and again); throws a LiquidError when it does not parse or is refused. */
export function parseTemplate(text: string): Template[] {
  let templates = parsed.get(text);
  if (!templates) {
    templates = liquid.parse(text);
    if (parsed.size > 10_000) parsed.clear();
    parsed.set(text, templates);
  }
  return templates;
}

/** What is wrong with a template, as problems at `path`: it does not parse, includes a file, or loops over a huge literal range. */
export function templateProblems(text: string, path: string): Problem[] {
  let templates: Template[];
  try {
    templates = parseTemplate(text);
  } catch (error) {
    const original = (error as { originalError?: unknown }).originalError;
    if (original instanceof FileTagRefused) return [{ path, message: `${original.message}${where(error)}` }];
    return [{ path, message: `template does not parse: ${(error as Error).message}` }];
  }
  return hugeRanges(templates).map((r) => ({
    path,
    message: `the range (${r.low}..${r.high}) at line ${r.row}, column ${r.col} has ${r.high - r.low + 1} items; a template's ranges may have at most ${MAX_LITERAL_RANGE}`,
  }));
}

function where(error: unknown): string {
  const token = error instanceof LiquidError ? (error as unknown as { token?: { getPosition(): [number, number] } }).token : undefined;
  if (!token) return '';
  const [row, col] = token.getPosition();
  return ` at line ${row}, column ${col}`;
}

interface LiteralRange {
  low: number;
  high: number;
  row: number;
  col: number;
}

/** Ranges with both ends written as numbers, longer than MAX_LITERAL_RANGE, anywhere in the template. */
function hugeRanges(templates: Template[]): LiteralRange[] {
  const found: LiteralRange[] = [];
  const visitToken = (token: unknown): void => {
    if (!TypeGuards.isRangeToken(token)) return;
    const { lhs, rhs } = token;
    if (!TypeGuards.isNumberToken(lhs) || !TypeGuards.isNumberToken(rhs)) return;
    const low = Math.trunc(lhs.content);
    const high = Math.trunc(rhs.content);
    if (high - low + 1 <= MAX_LITERAL_RANGE) return;
    const [row = 0, col = 0] = token.getPosition();
    found.push({ low, high, row, col });
  };
  const visit = (list: Template[]): void => {
    for (const template of list) {
      for (const arg of template.arguments?.() ?? []) {
        if (arg instanceof Value) {
          arg.initial.postfix.forEach(visitToken);
          for (const filter of arg.filters) for (const a of filter.args) visitToken(Array.isArray(a) ? a[1] : a);
        } else {
          visitToken(arg);
        }
      }
      if (template.children) visit(toValueSync(template.children(false, true)) as Template[]);
    }
  };
  visit(templates);
  return found;
}

/** The variables a parsed template reads from outside, by root name (`Profile`, `Event`, or a mistake). */
export function templateGlobals(templates: Template[]): Record<string, Variable[]> {
  return liquid.analyzeSync(templates, { partials: false }).globals;
}

/** Positions ("row:col") of the variables that a `default` filter applies to: the value before the filters. */
export function collectDefaulted(templates: Template[], into: Set<string>): void {
  for (const template of templates) {
    for (const arg of template.arguments?.() ?? []) {
      if (!(arg instanceof Value) || !arg.filters.some((f) => f.name === 'default')) continue;
      for (const token of arg.initial.postfix) {
        const [row, col] = token.getPosition();
        into.add(`${row}:${col}`);
      }
    }
    if (template.children) collectDefaulted(toValueSync(template.children(false, true)) as Template[], into);
  }
}

/** One read of a name from outside: `Profile.first_name` is root Profile, path ["first_name"]. */
export interface TemplateReference {
  root: string;
  /** The segments after the root that are plain names (up to the first computed one). */
  path: string[];
  row: number;
  col: number;
  /** This use goes through a `default` filter. */
  defaulted: boolean;
}

/** Every read of a name from outside a parsed template, in order. */
export function templateReferences(templates: Template[]): TemplateReference[] {
  const defaulted = new Set<string>();
  collectDefaulted(templates, defaulted);
  const found: TemplateReference[] = [];
  for (const [root, uses] of Object.entries(templateGlobals(templates))) {
    for (const variable of uses) {
      const path: string[] = [];
      for (const segment of variable.segments.slice(1)) {
        if (typeof segment !== 'string') break;
        path.push(segment);
      }
      const { row, col } = variable.location;
      found.push({ root, path, row, col, defaulted: defaulted.has(`${row}:${col}`) });
    }
  }
  return found.sort((a, b) => a.row - b.row || a.col - b.col);
}

/** Renders through liquidjs, under the limits above: what every template not simple enough for the fast path takes. */
export function renderWithLiquid(templates: Template[], scope: Record<string, unknown>): string {
  return String(liquid.renderSync(templates, scope));
}

/** What a template can see: `Profile` (traits, plus Name/Email/Phone aliases), `Event` (entry event properties) and `EventName`. */
export function templateScope(profile: ProfileView | null, entry: EntryEvent): Record<string, unknown> {
  return { Profile: profileVariables(profile), Event: entry.properties, EventName: entry.name };
}

/**
 * `Profile`: the traits and the aliases over them. A copy by Object.assign, then the aliases: 0.15 µs for six
 * traits, where a spread with the aliases in the same literal took 4-6 µs (V8 gives a spread's copy a shape
 * that adding keys then rebuilds), a few percent of a send. Object.assign would call the `__proto__` setter for
 * a trait of that name (JSON.parse makes it an own property), so such traits take the spread.
 */
function profileVariables(profile: ProfileView | null): Record<string, unknown> {
  const traits = profile?.traits ?? {};
  const variables: Record<string, unknown> = Object.prototype.hasOwnProperty.call(traits, '__proto__') ? { ...traits } : Object.assign({}, traits);
  variables.Name = traits.name;
  variables.Email = traits.email;
  variables.Phone = traits.phone;
  variables.Identity = profile?.userId;
  return variables;
}

/** A message's fields with their templates rendered (the address is the engine's to add). */
export interface RenderedMessage {
  title?: string;
  subject?: string;
  body: string;
  url?: string;
}

export type RenderResult = { ok: true; content: RenderedMessage } | { ok: false; error: string };

/** Renders a message for one user; never throws: a failure names the field and Liquid's reason. */
export type Renderer = (message: Message, profile: ProfileView | null, entry: EntryEvent) => RenderResult;

export const renderMessage: Renderer = (message, profile, entry) => {
  let scope: Record<string, unknown> | undefined;
  const render = (field: 'title' | 'subject' | 'body', text: string): string => {
    // Plain text needs no Liquid pass: most subjects and many bodies are static.
    if (!text.includes('{')) return text;
    let out: string | undefined;
    try {
      const templates = parseTemplate(text);
      scope ??= templateScope(profile, entry);
      const simple = simpleTemplate(templates);
      if (simple) out = renderSimple(simple, scope);
      out ??= renderWithLiquid(templates, scope);
    } catch (error) {
      throw new FieldFailed(`${field}: ${(error as Error).message}`);
    }
    if (out.length > MAX_RENDERED_LENGTH) throw new FieldFailed(`${field}: rendered to ${out.length} characters, more than ${MAX_RENDERED_LENGTH}`);
    return out;
  };
  try {
    const content: RenderedMessage = { body: render('body', message.body) };
    if (message.title !== undefined) content.title = render('title', message.title);
    if (message.subject !== undefined) content.subject = render('subject', message.subject);
    if (message.url !== undefined) content.url = message.url;
    return { ok: true, content };
  } catch (error) {
    const reason = error instanceof FieldFailed ? error.message : `template: ${String((error as Error)?.message ?? error)}`;
    return { ok: false, error: reason.slice(0, MAX_ERROR_LENGTH) };
  }
};

class FieldFailed extends Error {}
