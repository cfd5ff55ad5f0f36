/**
 * The send form: the channel, then the composer for that channel's message fields. The preview, a test send
 * and suggested copy are an editor's (their routes are): a viewer reads the message as written.
 */
import { Composer } from '../components/composer/Composer.tsx';
import { CopyAssistant } from '../components/composer/CopyAssistant.tsx';
import { TestSend } from '../components/composer/TestSend.tsx';
import { channelFields, type ChannelWithFields } from '../lib/channel-fields.ts';
import { switchChannel, withField } from '../lib/draft.ts';
import { can } from '../lib/roles.ts';
import { useStore } from '../store/index.ts';
import { SelectField } from './fields/choices.tsx';
import { entryEventOf } from './shared.tsx';
import type { NodeFormProps } from './types.ts';

export function SendForm({ node, path, draft, change }: NodeFormProps) {
  const registry = useStore((s) => s.registry);
  const journeyId = useStore((s) => s.editor?.journeyId ?? null);
  const canEdit = useStore((s) => can(s.role, 'edit'));
  // The server test-sends the saved draft: this node as saved, or its edits are not what goes out.
  const unsaved = useStore((s) => JSON.stringify(s.editor?.saved.draft.nodes.find((n) => n.id === node.id)) !== JSON.stringify(node));
  const channel = String(node.channel ?? '');
  const channels = (registry?.channels ?? []) as ChannelWithFields[];
  const options = channels.some((c) => c.name === channel) ? channels : [...channels, { name: channel, label: channel }];
  const message = (node.message ?? {}) as Record<string, unknown>;
  // The assistant writes for channels that reach a person (an address trait); a webhook's body is not copy.
  const addressTrait = (channels.find((c) => c.name === channel) as { addressTrait?: unknown } | undefined)?.addressTrait;
  const forPeople = typeof addressTrait === 'string';
  const goals = (draft.goals ?? []).map((g) => `the user does "${g.event}"`);
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
        preview={canEdit}
        onChange={(field, text) => change('Edit the message', (n) => ({ ...n, message: withField((n.message ?? {}) as Record<string, unknown>, field, text) }))}
      />
      {canEdit && journeyId && <TestSend key={`${node.id}.${channel}`} journeyId={journeyId} nodeId={String(node.id)} channel={channel} addressTrait={forPeople ? (addressTrait as string) : null} unsaved={unsaved} />}
      {canEdit && forPeople && (
        <CopyAssistant
          key={`${node.id}.${channel}`}
          nodeId={node.id}
          channel={channel}
          entryEvent={entryEventOf(draft.nodes)}
          goal={goals.length > 0 ? goals.join(' or ') : undefined}
          onUse={(content) => change('Use a suggested message', (n) => ({ ...n, message: { ...((n.message ?? {}) as Record<string, unknown>), ...content } }))}
        />
      )}
    </>
  );
}
