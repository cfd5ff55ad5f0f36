/**
 * Each channel's message fields as the composer lays them out, from GET /v1/meta/nodes (the server's channel
 * table): label, required, Liquid or not, one line or several, longest length. A registry without them (an
 * older server, or none) still gets a composer: the fields the message has, body last, as text areas.
 */

export interface ContentField {
  name: string;
  label: string;
  required: boolean;
  template: boolean;
  multiline: boolean;
  maxLength?: number;
}

export interface ChannelWithFields {
  name: string;
  label: string;
  fields?: unknown;
}

function asField(value: unknown): ContentField | null {
  if (!value || typeof value !== 'object') return null;
  const f = value as Record<string, unknown>;
  if (typeof f.name !== 'string' || typeof f.label !== 'string') return null;
  return {
    name: f.name,
    label: f.label,
    required: f.required === true,
    template: f.template !== false,
    multiline: typeof f.multiline === 'boolean' ? f.multiline : f.name === 'body',
    ...(typeof f.maxLength === 'number' ? { maxLength: f.maxLength } : {}),
  };
}

const titleOf = (name: string) => name.charAt(0).toUpperCase() + name.slice(1);

export function channelFields(channels: readonly ChannelWithFields[], channel: string, message: Record<string, unknown>): ContentField[] {
  const listed = channels.find((c) => c.name === channel)?.fields;
  const fields = Array.isArray(listed) ? listed.map(asField).filter((f): f is ContentField => f !== null) : [];
  if (fields.length > 0) return fields;
  const names = [...Object.keys(message).filter((n) => n !== 'body'), 'body'];
  return names.map((name) => ({ name, label: titleOf(name), required: name === 'body', template: true, multiline: name === 'body' }));
}
