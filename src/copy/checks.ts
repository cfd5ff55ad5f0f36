/**
 * What every variant must pass before it is shown: each field the channel's message needs, Liquid that
 * validates under the one sandboxed configuration (core/templates.ts), only names the project has seen
 * (Profile.* traits, Event.* properties of the entry event), a `default` for a name some users lack, and the
 * channel's copy limits (core/channels.ts), measured on the copy rendered with the catalog's example values.
 */
import { channelSpec, type Channel, type ChannelSpec } from '../core/channels.ts';
import { smsSize } from '../core/sms-segments.ts';
import { parseTemplate, renderMessage, templateProblems, templateReferences, TEMPLATE_ROOTS } from '../core/templates.ts';
import { exampleScope, lookup, type KnownNames } from './names.ts';

export interface VariantProblem {
  field: string;
  message: string;
}

/** The fields the assistant writes for a channel: its templates (a webhook's URL is not copy). */
export function copyFields(channel: Channel): string[] {
  return Object.entries(channelSpec(channel).content)
    .filter(([, f]) => f.template)
    .map(([name]) => name);
}

export function checkVariant(channel: Channel, content: Record<string, unknown>, names: KnownNames): VariantProblem[] {
  const spec: ChannelSpec = channelSpec(channel);
  const fields = copyFields(channel);
  const problems: VariantProblem[] = [];
  for (const key of Object.keys(content)) if (!fields.includes(key)) problems.push({ field: key, message: `${spec.noun} has no ${key} (its fields: ${fields.join(', ')})` });
  for (const field of fields) {
    const text = content[field];
    if (typeof text !== 'string' || text.trim() === '') {
      if (spec.content[field]!.required) problems.push({ field, message: 'is missing' });
      continue;
    }
    const liquid = templateProblems(text, field);
    if (liquid.length > 0) {
      problems.push(...liquid.map((p) => ({ field, message: p.message })));
      continue;
    }
    problems.push(...nameProblems(field, text, names));
    problems.push(...limitProblems(spec, field, text, names));
  }
  return problems;
}

function nameProblems(field: string, text: string, names: KnownNames): VariantProblem[] {
  const problems: VariantProblem[] = [];
  const said = new Set<string>();
  const once = (key: string, message: string) => {
    if (said.has(key)) return;
    said.add(key);
    problems.push({ field, message });
  };
  for (const ref of templateReferences(parseTemplate(text))) {
    const written = [ref.root, ...ref.path].join('.');
    if (!TEMPLATE_ROOTS.includes(ref.root)) {
      once(written, `${written}: a template can read only Profile.*, Event.* and EventName`);
      continue;
    }
    if (ref.root === 'EventName') continue;
    const list = ref.root === 'Profile' ? names.profile : names.event;
    if (ref.path.length === 0) {
      once(written, `${written}: name a ${ref.root === 'Profile' ? 'trait' : 'property'}, e.g. ${ref.root}.${list[0]?.path ?? 'name'}`);
      continue;
    }
    const known = lookup(list, ref.path);
    if (!known) {
      const whose = ref.root === 'Profile' ? 'no profile has had this trait' : names.eventName ? `no "${names.eventName}" event has had this property` : 'no entry event was given';
      once(written, `${written} is not a known name (${whose})`);
    } else if (known.optional && !ref.defaulted) {
      once(`${written}:default`, `${written} is missing for some users: give it a default, e.g. {{ ${written} | default: "…" }}`);
    }
  }
  return problems;
}

function limitProblems(spec: ChannelSpec, field: string, text: string, names: KnownNames): VariantProblem[] {
  const limit = spec.copyLimits?.[field];
  if (!limit) return [];
  const scope = exampleScope(names);
  const rendered = renderMessage({ body: text }, { userId: 'user-1', traits: scope.traits }, { messageId: '', name: names.eventName ?? '', timestamp: 0, properties: scope.properties });
  if (!rendered.ok) return [{ field, message: `does not render: ${rendered.error.replace(/^body: /, '')}` }];
  const out = rendered.content.body;
  if ('chars' in limit) {
    const length = [...out].length;
    return length > limit.chars ? [{ field, message: `is ${length} characters once rendered; at most ${limit.chars}` }] : [];
  }
  const size = smsSize(out);
  return size.segments > limit.segments
    ? [{ field, message: `takes ${size.segments} SMS segments once rendered (${size.units} ${size.encoding === 'GSM-7' ? 'GSM-7 characters' : 'UCS-2 characters, as it has characters outside GSM-7'}); at most ${limit.segments}` }]
    : [];
}
