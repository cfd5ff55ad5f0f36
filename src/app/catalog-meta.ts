/**
 * What the node registry and the channel table tell the outside: the kinds, their JSON Schemas and the
 * metadata a canvas needs, and the channels with their fields. Served at GET /v1/meta/nodes; read by the
 * dashboard's palette and forms, and by outside tools.
 */
import Type, { type Static } from 'typebox';
import { CHANNELS, SKIP_REASONS, type ChannelSpec } from '../core/channels.ts';
import { NODE_KINDS, NODE_SPECS } from '../core/nodes/index.ts';

const Branch = Type.Object({ name: Type.String(), label: Type.String(), optional: Type.Boolean() });

export const NodeCatalog = Type.Object(
  {
    nodes: Type.Array(
      Type.Object({
        kind: Type.String(),
        label: Type.String(),
        category: Type.String({ description: 'entry, message, timing, branching, profile or exit' }),
        description: Type.String(),
        fields: Type.Array(Type.String(), { description: "The node's own fields in form order" }),
        branches: Type.Array(Branch, { description: 'Fixed ways out; see branchesFrom for kinds whose branches come from their data' }),
        branchesFrom: Type.Optional(Type.String({ description: '"variants": one branch per variant, named after it' })),
        counters: Type.Array(Type.String(), { description: 'Per-node counters of GET /v1/journeys/{id}/stats that this kind shows' }),
        letsTimePass: Type.Boolean(),
        schema: Type.Unknown({ description: "The node's JSON Schema" }),
      }),
    ),
    channels: Type.Array(
      Type.Object({
        name: Type.String(),
        label: Type.String(),
        addressTrait: Type.Union([Type.String(), Type.Null()], { description: 'The profile trait a message is sent to' }),
        optOutTrait: Type.Union([Type.String(), Type.Null()], { description: 'A profile trait that, when true, opts the user out of the channel' }),
        fields: Type.Array(
          Type.Object({
            name: Type.String({ description: 'The key in the send node\'s `message`' }),
            label: Type.String(),
            required: Type.Boolean(),
            maxLength: Type.Integer({ description: 'Longest text accepted' }),
            template: Type.Boolean({ description: 'A Liquid template over Profile and Event; false: taken as written (a URL)' }),
            multiline: Type.Boolean({ description: 'Several lines (a body) rather than one (a title)' }),
          }),
          { description: 'The message fields, in form order' },
        ),
      }),
    ),
    skipReasons: Type.Record(Type.String(), Type.String(), { description: 'Why a message can be skipped, in words' }),
  },
  { description: 'Node kinds and channels, from the node registry and the channel table' },
);
export type NodeCatalog = Static<typeof NodeCatalog>;

export function nodeCatalog(): NodeCatalog {
  return {
    nodes: NODE_KINDS.map((kind) => {
      const spec = NODE_SPECS[kind];
      const { label, category, description, fields, branches, branchesFrom, counters } = spec.meta;
      return {
        kind,
        label,
        category,
        description,
        fields: [...fields],
        branches: branches.map((b) => ({ name: b.name, label: b.label, optional: b.optional ?? false })),
        ...(branchesFrom ? { branchesFrom } : {}),
        counters: [...counters],
        letsTimePass: 'letsTimePass' in spec && spec.letsTimePass === true,
        schema: spec.schema,
      };
    }),
    channels: Object.entries(CHANNELS).map(([name, c]: [string, ChannelSpec]) => ({
      name,
      label: c.label,
      addressTrait: c.address?.trait ?? null,
      optOutTrait: c.optOutTrait,
      fields: Object.entries(c.content).map(([field, f]) => ({ name: field, label: f.label, required: f.required, maxLength: f.maxLength, template: f.template, multiline: f.multiline })),
    })),
    skipReasons: { ...SKIP_REASONS },
  };
}
