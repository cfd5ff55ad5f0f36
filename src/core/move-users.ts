/**
 * Publishing with `moveUsers`: which nodes of the new version users in flight may be moved to. A user waits at a
 * node in that node kind's own way (a delay's or a deferred send's timer, a wait's timeout and event); moved to
 * a node of the same id but another kind, the interpreter would meet a wait that kind never makes, and the user
 * would stay there for good. So a node qualifies only if every earlier version that has its id had it as the
 * same kind; users at any other node stay on their version and finish there.
 */
import type { JourneyDefinition } from './definition.ts';

export function movableNodeIds(next: JourneyDefinition, earlier: readonly JourneyDefinition[]): string[] {
  const kindsBefore = new Map<string, Set<string>>();
  for (const definition of earlier) {
    for (const node of definition.nodes) kindsBefore.set(node.id, (kindsBefore.get(node.id) ?? new Set()).add(node.kind));
  }
  return next.nodes.filter((node) => [...(kindsBefore.get(node.id) ?? [])].every((kind) => kind === node.kind)).map((node) => node.id);
}
