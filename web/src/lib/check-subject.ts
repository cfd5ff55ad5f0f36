/**
 * What a check's path is about, as a marketer names it: the server points into the definition
 * ("/definition/nodes/3/message/body"), the dashboard says "SMS message “sms-10-off”" and which field.
 */
import { kindWords, type DiffDefinition } from './diff.ts';

export interface CheckSubject {
  /** The node the finding is about, to select it on the canvas; null for the journey, setup and goals. */
  nodeId: string | null;
  /** "SMS message “sms-10-off”", "goal “purchase”", "the setup", "the journey". */
  text: string;
  /** The field inside it, as the path names it ("message/body"); empty for the subject as a whole. */
  field: string;
}

export function subjectOf(definition: DiffDefinition | null, path: string): CheckSubject {
  const parts = path.replace(/^\/definition(?=\/|$)/, '').split('/').filter(Boolean);
  const [area, index, ...rest] = parts;
  const field = rest.join('/');
  const at = Number(index);
  if (area === 'nodes' && definition && Number.isInteger(at)) {
    const node = definition.nodes[at];
    if (node) return { nodeId: node.id, text: `${kindWords(node)} “${node.id}”`, field };
  }
  if (area === 'goals' && definition && Number.isInteger(at)) {
    const goal = definition.goals?.[at] as { id?: unknown } | undefined;
    if (goal && typeof goal.id === 'string') return { nodeId: null, text: `goal “${goal.id}”`, field };
  }
  if (area === 'edges' && definition && Number.isInteger(at)) {
    const edge = definition.edges[at];
    if (edge) return { nodeId: null, text: `the path “${edge.from}” → “${edge.to}”`, field };
  }
  if (area === 'setup') return { nodeId: null, text: 'the setup', field: parts.slice(1).join('/') };
  return { nodeId: null, text: 'the journey', field: parts.join('/') };
}
