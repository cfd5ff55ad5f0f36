/** The send form: the channel, then the composer for that channel's message fields. */
import { Composer } from '../components/composer/Composer.tsx';
import { channelFields, type ChannelWithFields } from '../lib/channel-fields.ts';
import { switchChannel, withField } from '../lib/draft.ts';
import { useStore } from '../store/index.ts';
import { SelectField } from './fields/choices.tsx';
import { entryEventOf } from './shared.tsx';
import type { NodeFormProps } from './types.ts';

export function SendForm({ node, path, draft, change }: NodeFormProps) {
  const registry = useStore((s) => s.registry);
  const channel = String(node.channel ?? '');
  const channels = (registry?.channels ?? []) as ChannelWithFields[];
  const options = channels.some((c) => c.name === channel) ? channels : [...channels, { name: channel, label: channel }];
  const message = (node.message ?? {}) as Record<string, unknown>;
  return (
    <>
      <SelectField
        label="Channel"
        path={`${path}/channel`}
        value={channel}
        options={options.map((c) => ({ value: c.name, label: c.label }))}
        onChange={(next) =>
          change('Change the channel', (n) =>
            switchChannel(
              n,
              next,
              channelFields(channels, next, {}).map((f) => f.name),
            ),
          )
        }
      />
      <Composer
        channel={channel}
        message={message}
        path={`${path}/message`}
        entryEvent={entryEventOf(draft.nodes)}
        onChange={(field, text) => change('Edit the message', (n) => ({ ...n, message: withField((n.message ?? {}) as Record<string, unknown>, field, text) }))}
      />
    </>
  );
}
