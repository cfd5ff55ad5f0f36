/**
 * The entry form: how users come in. A live event (action), an event not followed by another (inaction), a
 * scheduled segment, a date trait, or another journey's node; each with its own fields (trigger-schema.ts).
 */
import { useEffect } from 'react';
import { propertiesOf } from '../lib/catalog.ts';
import type { Condition } from '../lib/condition.ts';
import { switchTrigger, withField, type Filter, type TriggerType } from '../lib/draft.ts';
import { useStore } from '../store/index.ts';
import { CheckField, SelectField } from './fields/choices.tsx';
import { ConditionField } from './fields/ConditionField.tsx';
import { DurationField } from './fields/DurationField.tsx';
import { useProblems, FieldErrors } from './fields/Field.tsx';
import { FiltersField } from './fields/FiltersField.tsx';
import { TextField } from './fields/TextField.tsx';
import { ScheduleFields } from './schedule.tsx';
import { DateMomentFields, eventOptions, keyOptions, NameListField, useCatalog, ZoneChoiceField, type DateMomentValue } from './shared.tsx';
import type { NodeFormProps } from './types.ts';

type Trigger = Record<string, unknown> & { type: TriggerType };

const TYPES: { value: TriggerType; label: string }[] = [
  { value: 'action', label: 'When the user does an event' },
  { value: 'inaction', label: 'When the user does an event, then not another' },
  { value: 'segment', label: 'On a schedule, everyone in a segment' },
  { value: 'date', label: 'On a date from the profile' },
  { value: 'journey', label: 'When the user reaches a node of another journey' },
];

export function EntryForm({ node, path, draft, change }: NodeFormProps) {
  const { events, traits } = useCatalog();
  const trigger = (node.trigger ?? { type: 'action', event: '' }) as Trigger;
  const at = `${path}/trigger`;
  const setTrigger = (label: string, next: (t: Trigger) => Record<string, unknown>) => change(label, (n) => ({ ...n, trigger: next((n.trigger ?? {}) as Trigger) }));
  const set = (label: string, key: string, value: unknown) => setTrigger(label, (t) => withField(t, key, value));
  const problems = useProblems(at);
  const zone = typeof draft.setup?.timezone === 'string' ? draft.setup.timezone : 'UTC';
  const event = typeof trigger.event === 'string' ? trigger.event : '';
  const eventKeys = propertiesOf(events, event);
  const notEvent = typeof trigger.notEvent === 'string' ? trigger.notEvent : '';

  return (
    <>
      <SelectField label="Users enter" path={`${at}/type`} value={trigger.type} options={TYPES} onChange={(type) => setTrigger('Change the entry trigger', (t) => switchTrigger(t, type))} />
      <FieldErrors problems={problems} />
      {(trigger.type === 'action' || trigger.type === 'inaction') && (
        <>
          <TextField label="Entry event" path={`${at}/event`} value={event} options={eventOptions(events)} onCommit={(e) => set('Change the entry event', 'event', e)} />
          <FiltersField
            legend="Only when its properties match"
            path={`${at}/where`}
            value={trigger.where as Filter[] | undefined}
            keys={eventKeys}
            onChange={(where) => set('Change the entry filters', 'where', where.length > 0 ? where : undefined)}
          />
        </>
      )}
      {trigger.type === 'inaction' && (
        <>
          <TextField
            label="And does not do"
            path={`${at}/notEvent`}
            value={notEvent}
            options={eventOptions(events)}
            onCommit={(e) => set('Change the event not done', 'notEvent', e)}
          />
          {/* With the event it filters, as the entry event's filters are with it. */}
          <FiltersField
            legend={notEvent ? `Only a “${notEvent}” whose properties match` : 'Only when its properties match'}
            path={`${at}/notWhere`}
            value={trigger.notWhere as Filter[] | undefined}
            keys={propertiesOf(events, notEvent)}
            onChange={(w) => set('Change the filters of the event not done', 'notWhere', w.length > 0 ? w : undefined)}
          />
          <DurationField
            label="Within"
            path={`${at}/within`}
            value={trigger.within as string | undefined}
            hint="From the entry event's timestamp; the user enters when this window closes."
            onChange={(d) => set('Change the inaction window', 'within', d)}
          />
          <NameListField
            label="Same as the entry event's (optional)"
            path={`${at}/sameAs`}
            hint={`Properties the “${notEvent || 'other event'}” must share with the entry event, e.g. cartId: “did not pay for this cart”.`}
            value={trigger.sameAs as string[] | undefined}
            options={keyOptions(eventKeys)}
            onChange={(names) => set('Change the shared properties', 'sameAs', names)}
          />
        </>
      )}
      {trigger.type === 'segment' && (
        <>
          <ScheduleFields path={`${at}/schedule`} value={trigger.schedule as Record<string, unknown>} zone={zone} onChange={(s) => set('Change the schedule', 'schedule', s)} />
          <ConditionField
            label="Who enters"
            path={`${at}/segment`}
            value={trigger.segment as Condition}
            context={{ events, traits, sends: null, zone }}
            onChange={(segment) => set('Change the segment', 'segment', segment)}
          />
        </>
      )}
      {trigger.type === 'date' && (
        <>
          <DateMomentFields
            path={at}
            value={trigger as unknown as DateMomentValue}
            traits={traits}
            onChange={(v) => setTrigger('Change the date trigger', () => v as unknown as Trigger)}
          />
          <CheckField label="Every year (a birthday, an anniversary)" checked={trigger.annual === true} onChange={(on) => set('Change the yearly date', 'annual', on ? true : undefined)} />
          <ZoneChoiceField path={`${at}/timezone`} value={trigger.timezone} onChange={(z) => set('Change whose clock', 'timezone', z)} />
        </>
      )}
      {trigger.type === 'journey' && <JourneyTriggerFields at={at} trigger={trigger} onChange={(key, value) => set('Change the journey trigger', key, value)} />}
    </>
  );
}

function JourneyTriggerFields({ at, trigger, onChange }: { at: string; trigger: Trigger; onChange: (key: 'journeyId' | 'nodeId', value: string) => void }) {
  const journeys = useStore((s) => s.journeys);
  const loadJourneys = useStore((s) => s.loadJourneys);
  const thisJourney = useStore((s) => s.editor?.journeyId);
  useEffect(() => {
    if (journeys === null) void loadJourneys();
  }, [journeys, loadJourneys]);
  const others = (journeys ?? []).map((r) => r.journey).filter((j) => j.id !== thisJourney);
  const source = others.find((j) => j.id === trigger.journeyId);
  const nodes = ((source?.draft as { nodes?: { id: string; kind: string }[] } | undefined)?.nodes ?? []).map((n) => ({ value: n.id, label: n.kind }));
  return (
    <>
      <TextField label="Journey" path={`${at}/journeyId`} value={String(trigger.journeyId ?? '')} options={others.map((j) => ({ value: j.id, label: j.name }))} onCommit={(id) => onChange('journeyId', id)} />
      <TextField label="Node of that journey" path={`${at}/nodeId`} value={String(trigger.nodeId ?? '')} options={nodes} onCommit={(id) => onChange('nodeId', id)} hint="Its entry node: when users enter it." />
    </>
  );
}
