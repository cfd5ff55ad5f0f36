/**
 * The message of a send node: one field per content field of its channel (from the server's channel table),
 * each with the `@` menu where Liquid is allowed, and (with `preview`) the live preview for a real user beside them.
 */
import { insertables, propertiesOf } from '../../lib/catalog.ts';
import { channelFields, type ChannelWithFields } from '../../lib/channel-fields.ts';
import { TextField } from '../../forms/fields/TextField.tsx';
import { useStore } from '../../store/index.ts';
import { PreviewPane } from './PreviewPane.tsx';
import { TemplateField } from './TemplateField.tsx';
import '../../styles/forms.css';
import '../../styles/composer.css';

export function Composer({
  channel,
  message,
  path,
  entryEvent,
  preview = true,
  onChange,
}: {
  channel: string;
  message: Record<string, unknown>;
  /** The message's JSON pointer: "/nodes/3/message". */
  path: string;
  /** The event users enter with: its properties are `Event.*`. */
  entryEvent: string | undefined;
  /** Whether to render the message for a user beside the fields (the server's preview is an editor's route). */
  preview?: boolean;
  /** One field changed: `undefined` removes it. */
  onChange: (field: string, text: string | undefined) => void;
}) {
  const registry = useStore((s) => s.registry);
  const { events, traits } = useStore((s) => s.catalog);
  const fields = channelFields((registry?.channels ?? []) as ChannelWithFields[], channel, message);
  const options = insertables(traits, propertiesOf(events, entryEvent));
  return (
    <div className="composer">
      <div className="composer-fields">
        {fields.map((field) =>
          field.template ? (
            <TemplateField key={`${channel}.${field.name}`} field={field} path={`${path}/${field.name}`} value={String(message[field.name] ?? '')} insertables={options} onCommit={(text) => onChange(field.name, text)} />
          ) : (
            <TextField
              key={`${channel}.${field.name}`}
              label={field.label}
              type={field.name === 'url' ? 'url' : 'text'}
              path={`${path}/${field.name}`}
              maxLength={field.maxLength}
              value={String(message[field.name] ?? '')}
              onCommit={(text) => onChange(field.name, text === '' && !field.required ? undefined : text)}
            />
          ),
        )}
      </div>
      {preview && <PreviewPane channel={channel} message={message} fields={fields} entryEvent={entryEvent} />}
    </div>
  );
}

