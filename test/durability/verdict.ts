/**
 * The verdict of a crash test, shared by every one of them: given what a workload expected and what the
 * engine recorded, which messages were lost and which were sent that should not have been.
 *
 * Downtime has one honest effect and only one. A conversion that reaches the server late (it was down)
 * can arrive after a message it should have stopped: that extra message is explained when the conversion
 * was received after the send. A message due while the server was down, whose user's conversion reached the
 * server before it caught up, is not sent: Waymark does not message a user who has converted. Nothing else
 * may be missing or extra.
 *
 * `received_at` is when the server began the ingest that stored the conversion. On PostgreSQL with several
 * processes, that unit may then wait for the user's lock while another process's timer for the same user
 * commits a send; so there, and only there, a send counts as explained when the conversion was received less
 * than `ingestWaitMs` before it (POSTGRES_INGEST_WAIT_MS). On SQLite one process serializes every unit of work:
 * a conversion received before a send was stored before it, and the excuse is zero.
 */
export const POSTGRES_INGEST_WAIT_MS = 2_000;
const NODE_OF_CHANNEL: Record<string, string> = { push: 'push-free-shipping', sms: 'sms-10-off', email: 'email-final-reminder' };

export interface ExpectedUser {
  userId: string;
  sends: Record<string, number>;
}

export interface Verdict {
  missing: string[];
  unexplained: string[];
}

/**
 * @param sent "userId/nodeId" -> when it was sent (epoch ms)
 * @param chargeReceived userId -> when the server received the user's conversion (epoch ms)
 * @param t0 the replay's start: a due time `d` in the workload is `t0 + d`
 * @param ingestWaitMs 0 on SQLite; POSTGRES_INGEST_WAIT_MS on PostgreSQL (see above)
 */
export function verdict(users: ExpectedUser[], sent: Map<string, number>, chargeReceived: Map<string, number>, t0: number, ingestWaitMs = 0): Verdict {
  const missing: string[] = [];
  const expected = new Set<string>();
  for (const user of users) {
    for (const [channel, dueAt] of Object.entries(user.sends)) {
      const key = `${user.userId}/${NODE_OF_CHANNEL[channel]}`;
      expected.add(key);
      if (sent.has(key)) continue;
      const received = chargeReceived.get(user.userId);
      if (received === undefined || received <= t0 + dueAt) missing.push(key);
    }
  }
  const unexplained = [...sent]
    .filter(([key, sentAt]) => {
      if (expected.has(key)) return false;
      const received = chargeReceived.get(key.split('/')[0]!);
      // Strictly before: a conversion stored in the send's own millisecond cannot be ordered against it.
      return received === undefined || received < sentAt - ingestWaitMs;
    })
    .map(([key]) => key);
  return { missing, unexplained };
}
