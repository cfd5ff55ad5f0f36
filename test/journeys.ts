/** Journey fixtures shared by the interpreter's tests and the engine's. */
import type { JourneyDefinition } from '../src/core/definition.ts';

/**
 * On Charged: write `set` to the profile, then split on the trait vip: a push (`pushBody`) for VIPs, an
 * email for the rest.
 */
export function tagVip(set: Record<string, string | number | boolean | null>, pushBody: string): JourneyDefinition {
  return {
    name: 'tag',
    nodes: [
      { id: 'in', kind: 'entry', trigger: { type: 'action', event: 'Charged' } },
      { id: 'tag', kind: 'updateProfile', set },
      { id: 'is-vip', kind: 'split', where: [{ property: 'vip', op: '=', value: true }] },
      { id: 'p', kind: 'send', channel: 'push', message: { title: 'VIP', body: pushBody } },
      { id: 'e', kind: 'send', channel: 'email', message: { subject: 's', body: 'not vip' } },
      { id: 'out', kind: 'exit' },
    ],
    edges: [
      { from: 'in', to: 'tag' },
      { from: 'tag', to: 'is-vip' },
      { from: 'is-vip', to: 'p', branch: 'yes' },
      { from: 'is-vip', to: 'e', branch: 'no' },
      { from: 'p', to: 'out' },
      { from: 'e', to: 'out' },
    ],
  };
}
