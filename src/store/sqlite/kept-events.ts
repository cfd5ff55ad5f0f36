/**
 * A throwaway store that writes only the events its units read back (SqliteOptions.eventsKept): which ones
 * it keeps, the users of all it accepted (what eventUserCount answers, since the file holds only some), and
 * the refusal of a read the file cannot answer.
 */
export class KeptEvents {
  private readonly users = new Set<string>();

  constructor(private readonly names: ReadonlySet<string>) {}

  keeps(name: string): boolean {
    return this.names.has(name);
  }

  /** Users of events a unit accepted, once it has committed. */
  accepted(userIds: Iterable<string>): void {
    for (const user of userIds) this.users.add(user);
  }

  userCount(): number {
    return this.users.size;
  }

  /** Throws, naming `reader`, unless every one of `names` is kept. */
  check(names: Iterable<string>, reader: string): void {
    for (const name of names) {
      if (!this.names.has(name)) throw new Error(`${reader}: this store keeps no "${name}" event in its file (a simulation's keeps only those its journeys read back)`);
    }
  }
}
