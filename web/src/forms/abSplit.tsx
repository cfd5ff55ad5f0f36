/**
 * The A/B split form: 2 to 7 variants, each a name (also its branch label) and a whole percentage; the
 * percentages must add up to 100. A renamed or removed variant takes its edge along (lib/draft.ts).
 */
import { addVariant, evenPercents, percentTotal, removeVariant, renameVariant, type Variant } from '../lib/draft.ts';
import { Group } from './fields/Field.tsx';
import { TextField } from './fields/TextField.tsx';
import type { NodeFormProps } from './types.ts';

export function AbSplitForm({ node, path, change, editDraft }: NodeFormProps) {
  const variants = (node.variants ?? []) as Variant[];
  const total = percentTotal(variants);
  const setPercent = (i: number, text: string) =>
    change('Change a variant’s share', (n) => ({ ...n, variants: (n.variants as Variant[]).map((v, j) => (j === i ? { ...v, percent: Math.round(Number(text)) || 0 } : v)) }));
  return (
    <Group legend="Variants" path={`${path}/variants`} hint="Each user gets the same variant every time (per journey, user and node).">
      <ol className="variants">
        {variants.map((v, i) => (
          <li key={i} className="variant-row">
            <TextField label={`Variant ${i + 1} name`} path={`${path}/variants/${i}/name`} value={v.name} onCommit={(name) => editDraft('Rename a variant', (d) => renameVariant(d, node.id, i, name))} />
            <TextField label={`Variant ${i + 1} share (%)`} type="number" className="variant-percent" path={`${path}/variants/${i}/percent`} value={String(v.percent)} onCommit={(t) => setPercent(i, t)} />
            {variants.length > 2 && (
              <button type="button" className="button ghost small remove" aria-label={`Remove variant ${v.name}`} onClick={() => editDraft('Remove a variant', (d) => removeVariant(d, node.id, i))}>
                Remove
              </button>
            )}
          </li>
        ))}
      </ol>
      <p className={`variant-total${total === 100 ? '' : ' off'}`} aria-live="polite">
        Total: {total}%{total === 100 ? '' : ' (must be 100%)'}
      </p>
      <div className="row-buttons">
        {variants.length < 7 && (
          <button type="button" className="button small add" onClick={() => editDraft('Add a variant', (d) => addVariant(d, node.id))}>
            + Add a variant
          </button>
        )}
        <button
          type="button"
          className="button small"
          onClick={() => {
            const percents = evenPercents(variants.length);
            change('Split the variants evenly', (n) => ({ ...n, variants: (n.variants as Variant[]).map((v, i) => ({ ...v, percent: percents[i]! })) }));
          }}
        >
          Split evenly
        </button>
      </div>
    </Group>
  );
}
