/**
 * The names copy may use: the traits the project's profiles have had and the properties its entry event has
 * had, from the data catalog (src/app/data-catalog.ts), each marked optional when some of the sampled
 * profiles (or events) lack it. Each carries the catalog's example value, for measuring copy as rendered.
 */
import { eventCatalog, traitCatalog } from '../app/data-catalog.ts';
import type { Example, ValueType } from '../app/key-catalog.ts';
import type { Store } from '../store/store.ts';

export interface KnownName {
  /** Dotted path under its root: "first_name", "cart.total". */
  path: string;
  type: ValueType;
  /** Some profiles (events) lack it: a template must give it a `default`. */
  optional: boolean;
  example: Example;
}

export interface KnownNames {
  profile: KnownName[];
  event: KnownName[];
  /** The entry event's name; null when none was given. */
  eventName: string | null;
  /** The entry event was given but never seen: no Event.* name is known. */
  eventUnseen: boolean;
}

/** Profile.Name, .Email, .Phone alias these traits (core/templates.ts); Profile.Identity is the user id, always there. */
const ALIASES: Record<string, string> = { Name: 'name', Email: 'email', Phone: 'phone' };

export async function knownNames(store: Store, eventName: string | null): Promise<KnownNames> {
  const [traits, events] = await Promise.all([traitCatalog(store), eventName === null ? null : eventCatalog(store)]);
  const profile: KnownName[] = traits.traits.map((t) => ({ path: t.path, type: t.type, optional: t.count < traits.read, example: t.example }));
  for (const [alias, trait] of Object.entries(ALIASES)) {
    const of = profile.find((p) => p.path === trait);
    if (of) profile.push({ ...of, path: alias });
  }
  profile.push({ path: 'Identity', type: 'string', optional: false, example: 'user-1' });
  const seen = events?.events.find((e) => e.name === eventName);
  const event: KnownName[] = seen ? seen.properties.map((p) => ({ path: p.path, type: p.type, optional: p.count < seen.count, example: p.example })) : [];
  return { profile, event, eventName, eventUnseen: eventName !== null && !seen };
}

/** The known name a reference's path reads: itself, or an object it goes into (`cart` for cart.total when only cart is known as an object). */
export function lookup(names: readonly KnownName[], path: readonly string[]): KnownName | undefined {
  for (let i = path.length; i > 0; i--) {
    const found = names.find((n) => n.path === path.slice(0, i).join('.'));
    if (found && (i === path.length || found.type === 'object' || found.type === 'array')) return found;
    if (found) return undefined; // reads into a string or a number: nothing there
  }
  // A reference to an object whose keys are known (Profile.cart, with cart.total known).
  const prefix = `${path.join('.')}.`;
  return path.length > 0 ? names.find((n) => n.path.startsWith(prefix)) : undefined;
}

/** A scope with each known name at its example: copy rendered with it is measured against the channel's limits. */
export function exampleScope(names: KnownNames): { traits: Record<string, unknown>; properties: Record<string, unknown> } {
  const build = (list: readonly KnownName[]) => {
    const out: Record<string, unknown> = {};
    for (const name of list) {
      if (name.example === null || name.path in ALIASES || name.path === 'Identity') continue;
      const keys = name.path.split('.');
      let at = out;
      for (const key of keys.slice(0, -1)) at = (at[key] ??= {}) as Record<string, unknown>;
      if (typeof at === 'object' && at !== null) at[keys[keys.length - 1]!] = name.example;
    }
    return out;
  };
  return { traits: build(names.profile), properties: build(names.event) };
}
