/** Named locks within one process: calls under one name run one after another, in call order. */
export class InProcessLocks {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const before = this.tails.get(name) ?? Promise.resolve();
    const result = before.then(fn);
    const tail = result.catch(() => {});
    this.tails.set(name, tail);
    // Forget a name once its queue is empty, so the map holds only the names in use.
    void tail.then(() => {
      if (this.tails.get(name) === tail) this.tails.delete(name);
    });
    return result;
  }
}
