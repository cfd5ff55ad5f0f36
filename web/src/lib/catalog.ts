/**
 * What the pickers offer: the events the project has received (with their property keys) and the profile
 * traits it holds (GET /v1/catalog/events, /v1/catalog/traits), and the preview of a message for one user
 * (POST /v1/preview). Read defensively: an answer without them (an older server, a failed read) gives empty
 * lists, and every picker still takes free text.
 */
import type { Insertable } from './liquid.ts';

export interface CatalogKey {
  /** Nested keys joined by dots, as the catalog gives them: "cart.total". */
  key: string;
  /** "string", "number", "boolean", ... as the server saw it. */
  type?: string;
  example?: unknown;
}

export interface CatalogEvent {
  name: string;
  count?: number;
  /** Epoch ms of the latest one. */
  lastSeenAt?: number;
  properties: CatalogKey[];
}

export interface PreviewRequest {
  channel: string;
  content: Record<string, string>;
  userId: string;
  /** The event name whose latest occurrence (for this user) is `Event`: the journey's entry event. */
  event?: string;
}

export interface PreviewResult {
  rendered: Record<string, string>;
  problems: { field: string; message: string }[];
  userFound: boolean;
  /** The event `Event` held, when the server says. */
  event: { name?: string; properties?: Record<string, unknown> } | null;
}

const isRecord = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** Keys given as a list of `{ path, type, example }` (or `key`/`name`), or as a record of key to `{ type, example }` (or to a type). */
function keysOf(value: unknown): CatalogKey[] {
  const entries: [string, unknown][] = Array.isArray(value)
    ? value.flatMap((item): [string, unknown][] => {
        if (typeof item === 'string') return [[item, {}]];
        if (!isRecord(item)) return [];
        const key = item.path ?? item.key ?? item.name;
        return typeof key === 'string' ? [[key, item]] : [];
      })
    : isRecord(value)
      ? Object.entries(value)
      : [];
  return entries.map(([key, info]) => {
    const out: CatalogKey = { key };
    if (typeof info === 'string') out.type = info;
    else if (isRecord(info)) {
      const type = info.type ?? info.types;
      if (typeof type === 'string') out.type = type;
      else if (Array.isArray(type) && typeof type[0] === 'string') out.type = type.join(' | ');
      const example = info.example ?? info.examples;
      if (example !== undefined) out.example = Array.isArray(info.examples) && info.example === undefined ? info.examples[0] : example;
    }
    return out;
  });
}

/** The events of GET /v1/catalog/events, most received first as the server sends them. */
export function asEvents(value: unknown): CatalogEvent[] {
  const list = isRecord(value) ? (value.events ?? value.items) : value;
  if (!Array.isArray(list)) return [];
  return list.flatMap((item): CatalogEvent[] => {
    if (typeof item === 'string') return [{ name: item, properties: [] }];
    if (!isRecord(item)) return [];
    const name = item.name ?? item.event;
    if (typeof name !== 'string' || name === '') return [];
    const event: CatalogEvent = { name, properties: keysOf(item.properties ?? item.keys) };
    if (typeof item.count === 'number') event.count = item.count;
    if (typeof item.lastSeenAt === 'number') event.lastSeenAt = item.lastSeenAt;
    return [event];
  });
}

/** The traits of GET /v1/catalog/traits. */
export function asTraits(value: unknown): CatalogKey[] {
  return keysOf(isRecord(value) ? (value.traits ?? value.items) : value);
}

export function asPreview(value: unknown): PreviewResult {
  const body = isRecord(value) ? value : {};
  const rendered = isRecord(body.rendered) ? Object.fromEntries(Object.entries(body.rendered).filter(([, v]) => typeof v === 'string')) : {};
  const problems = Array.isArray(body.problems)
    ? body.problems.flatMap((p) => (isRecord(p) && typeof p.message === 'string' ? [{ field: typeof p.field === 'string' ? p.field : '', message: p.message }] : []))
    : [];
  const user = isRecord(body.user) ? body.user : {};
  const event = isRecord(body.event) ? (body.event as PreviewResult['event']) : null;
  return { rendered: rendered as Record<string, string>, problems, userFound: user.found === true, event };
}

/** An example value as the pickers show it: short, one line. */
export function exampleText(example: unknown): string {
  if (example === undefined) return '';
  const text = typeof example === 'string' ? example : JSON.stringify(example);
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
}

/** Templates also read these names for the traits name, email, phone and the user id (docs/journeys.md). */
const PROFILE_ALIASES: Insertable[] = [
  { scope: 'Profile', key: 'Name', detail: 'the name trait' },
  { scope: 'Profile', key: 'Email', detail: 'the email trait' },
  { scope: 'Profile', key: 'Phone', detail: 'the phone trait' },
  { scope: 'Profile', key: 'Identity', detail: 'the user id' },
];

/**
 * What the `@` menu lists: the project's traits as `Profile.*`, then the aliases, then the properties of the
 * event users enter with as `Event.*`.
 */
export function insertables(traits: readonly CatalogKey[], eventProperties: readonly CatalogKey[]): Insertable[] {
  const detail = (k: CatalogKey) => [k.type, exampleText(k.example)].filter(Boolean).join(' · ') || undefined;
  const fromTraits = traits.map((t): Insertable => ({ scope: 'Profile', key: t.key, ...(detail(t) ? { detail: detail(t)! } : {}) }));
  const have = new Set(traits.map((t) => t.key));
  const aliases = PROFILE_ALIASES.filter((a) => !have.has(a.key));
  const fromEvent = eventProperties.map((p): Insertable => ({ scope: 'Event', key: p.key, ...(detail(p) ? { detail: detail(p)! } : {}) }));
  return [...fromTraits, ...aliases, ...fromEvent];
}

/** The property keys of the event named `name`, or none. */
export function propertiesOf(events: readonly CatalogEvent[], name: string | undefined): CatalogKey[] {
  return (name && events.find((e) => e.name === name)?.properties) || [];
}
