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
 * `received_at` is when the server began the ingest that stored the conversion; on PostgreSQL that unit may
 * then wait for the user's lock while a timer for the same user commits a send. So a send counts as explained
 * when the conversion was received less than INGEST_WAIT_MS before it, too.
 */
const INGEST_WAIT_MS = 2_000;
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
 */
export function verdict(users: ExpectedUser[], sent: Map<string, number>, chargeReceived: Map<string, number>, t0: number): Verdict {
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
      return received === undefined || received <= sentAt - INGEST_WAIT_MS;
    })
    .map(([key]) => key);
  return { missing, unexplained };
}
