/** Profile traits merge like the profile API and both stores: a patch sets keys, a null value removes one. */
export type TraitValue = string | number | boolean | null;

export function mergeTraits(traits: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...traits };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete merged[key];
    else merged[key] = value;
  }
  return merged;
}
