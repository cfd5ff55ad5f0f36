/**
 * The dispatcher's side of SendOptions.committing: senders' marks (Store.markSending) written a group at a
 * time, like the outcomes (dispatch.ts, OutcomeLog). At most one write is in flight; the marks asked for
 * meanwhile gather and go in the next. Each caller resolves once the write that included its message has
 * committed, or is rejected with that write's failure (its sender then does not pass its point of no return).
 */
export class SendingMarks {
  private waiting: Array<{ id: string; resolve: () => void; reject: (error: unknown) => void }> = [];
  private writing = false;

  constructor(private readonly write: (ids: string[]) => Promise<void>) {}

  mark(id: string): Promise<void> {
    const marked = new Promise<void>((resolve, reject) => this.waiting.push({ id, resolve, reject }));
    if (!this.writing) void this.drain();
    return marked;
  }

  private async drain(): Promise<void> {
    this.writing = true;
    try {
      while (this.waiting.length > 0) {
        await new Promise(setImmediate); // the marks asked for in this turn of the event loop join the group
        const group = this.waiting;
        this.waiting = [];
        try {
          await this.write(group.map((x) => x.id));
          for (const x of group) x.resolve();
        } catch (error) {
          for (const x of group) x.reject(error);
        }
      }
    } finally {
      this.writing = false;
    }
  }
}
