/** The wait form: the event to wait for, its filters, what it must share with the entry event, the timeout. */
import { propertiesOf } from '../lib/catalog.ts';
import { withField, type Filter } from '../lib/draft.ts';
import { DurationField } from './fields/DurationField.tsx';
import { FiltersField } from './fields/FiltersField.tsx';
import { TextField } from './fields/TextField.tsx';
import { entryEventOf, eventOptions, keyOptions, NameListField, useCatalog } from './shared.tsx';
import type { NodeFormProps } from './types.ts';

export function WaitForm({ node, path, draft, change }: NodeFormProps) {
  const { events } = useCatalog();
  const set = (label: string, key: string, value: unknown) => change(label, (n) => withField(n, key, value));
  const event = String(node.event ?? '');
  return (
    <>
      <TextField label="Wait for the event" path={`${path}/event`} value={event} options={eventOptions(events)} onCommit={(e) => set('Change the awaited event', 'event', e)} />
      <FiltersField
        legend="Only when its properties match"
        path={`${path}/where`}
        value={node.where as Filter[] | undefined}
        keys={propertiesOf(events, event)}
        onChange={(where) => set('Change the event filters', 'where', where.length > 0 ? where : undefined)}
      />
      <NameListField
        label="Same as the entry event's (optional)"
        path={`${path}/sameAs`}
        hint="Properties the event must share with the event the user entered with, e.g. cartId: the same cart."
        value={node.sameAs as string[] | undefined}
        options={keyOptions(propertiesOf(events, entryEventOf(draft.nodes)))}
        onChange={(names) => set('Change the shared properties', 'sameAs', names)}
      />
      <DurationField
        label="Give up after"
        path={`${path}/timeout`}
        value={node.timeout as string | undefined}
        hint="Then the user takes the Timeout branch. An event at the timeout instant still counts."
        onChange={(d) => set('Change the timeout', 'timeout', d)}
      />
    </>
  );
}
