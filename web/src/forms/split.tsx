/**
 * The split form: yes or no on the user as they arrive, by profile traits (`where`) or by a segment condition
 * (`condition`: traits, event history, outcomes of earlier sends). A split has exactly one of them.
 */
import type { Condition } from '../lib/condition.ts';
import type { DraftNode, Filter } from '../lib/draft.ts';
import { RadioGroup } from './fields/choices.tsx';
import { ConditionField } from './fields/ConditionField.tsx';
import { FiltersField } from './fields/FiltersField.tsx';
import { useCatalog } from './shared.tsx';
import type { NodeFormProps } from './types.ts';

const NEW_FILTER: Filter = { property: '', op: 'exists' };

/** The split the other way: profile filters carry over as a profile condition and back. */
function switchMode(node: DraftNode, mode: 'where' | 'condition'): DraftNode {
  const { where, condition, ...rest } = node;
  if (mode === 'condition') return { ...rest, condition: { type: 'profile', where: (where as Filter[] | undefined) ?? [NEW_FILTER] } };
  const c = condition as Condition | undefined;
  return { ...rest, where: c?.type === 'profile' && Array.isArray(c.where) ? (c.where as Filter[]) : [NEW_FILTER] };
}

export function SplitForm({ node, path, draft, change }: NodeFormProps) {
  const { events, traits } = useCatalog();
  const mode = node.condition !== undefined ? 'condition' : 'where';
  const zone = typeof draft.setup?.timezone === 'string' ? draft.setup.timezone : 'UTC';
  const sends = draft.nodes.filter((n) => n.kind === 'send').map((n) => n.id);
  return (
    <>
      <RadioGroup
        legend="Yes when"
        value={mode}
        options={[
          { value: 'where', label: 'Profile traits match', hint: 'every condition holds on the traits' },
          { value: 'condition', label: 'A condition holds', hint: 'traits, past events, earlier messages, and/or groups' },
        ]}
        onChange={(next) => change('Change what the split asks', (n) => switchMode(n, next))}
      />
      {mode === 'where' ? (
        <FiltersField
          legend="Traits"
          path={`${path}/where`}
          value={node.where as Filter[] | undefined}
          keys={traits}
          minItems={1}
          hint="A user with no profile matches only “is not” and “is not set”."
          onChange={(where) => change('Change the split', (n) => ({ ...n, where }))}
        />
      ) : (
        <ConditionField
          path={`${path}/condition`}
          value={node.condition as Condition}
          context={{ events, traits, sends, zone }}
          onChange={(condition) => change('Change the split', (n) => ({ ...n, condition }))}
        />
      )}
    </>
  );
}
