/**
 * The messages of an instance, found by their ids: a send's id is `<instance id>:<node>:<step>` (sendIdOf in
 * core/nodes/send.ts, the only maker of message ids), so they are the range of the messages' unique key
 * that starts with the instance's id and a colon. An index of their own (messages_by_instance, dropped by
 * migration 017) wrote a page at a random place for every message, about a page a cart
 * (bench/RESULTS.md, 2026-12-05). The range also holds the messages of any instance whose id extends this one
 * past a colon (an entry event id with a colon in it), hence the test of instance_id.
 */

/** The condition on messages `m` for the instance whose id is the SQL expression `instance`. */
export function messagesOfInstance(instance: string): string {
  return `m.id > ${instance} || ':' AND m.id < ${instance} || ';' AND m.instance_id = ${instance}`;
}

/** `ON` clause for `json_each(?) AS i CROSS JOIN messages m`: i.value is an instance id. */
export const MESSAGES_OF_INSTANCE = messagesOfInstance('i.value');
