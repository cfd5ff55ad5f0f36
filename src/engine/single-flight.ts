/**
 * Background work that runs at most once at a time: a kick while it runs asks for one more round after it,
 * so work that arrives meanwhile is never left waiting for the next poll. Used for firing timers, sending
 * the outbox and draining the inbox.
 */
export class SingleFlight {
  private current: Promise<void> | null = null;
  private again = false;

  constructor(
    private readonly work: {
      /** One round. */
      round: () => Promise<unknown>;
      /** After the last round, once nothing asked for more (e.g. arm an alarm for what is left). */
      settle?: () => Promise<void>;
      /** Whether another requested round may start (false once the engine stops). */
      mayContinue: () => boolean;
      onError: (error: unknown) => void;
    },
  ) {}

  kick(): void {
    if (this.current) {
      this.again = true;
      return;
    }
    this.current = (async () => {
      try {
        do {
          this.again = false;
          await this.work.round();
        } while (this.again && this.work.mayContinue());
        await this.work.settle?.();
      } catch (error) {
        this.work.onError(error);
      } finally {
        this.current = null;
      }
    })();
  }

  /** Resolves when the work under way, if any, is done. */
  settled(): Promise<void> {
    return this.current ?? Promise.resolve();
  }
}
