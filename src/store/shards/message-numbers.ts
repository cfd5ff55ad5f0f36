/**
 * Message numbers (Message.seq) over shards. In one file a message's number is its commit order, so a reader
 * paging the log with `after` misses nothing. Over shards committed by threads of their own, numbers come from
 * one counter in memory they share, and each thread marks the lowest number a unit of its holds uncommitted:
 * the log is read only below the lowest mark (the horizon), or a message committed late by one shard would land
 * behind a reader's cursor.
 *
 * Events are numbered from a second counter, with no marks: their number is their order of arrival, and the
 * union of the shards' events must not have two of one number (the event window pages by it, the catalog's
 * sample and a preview's event find a row by it). Nothing pages the events after a cursor as it grows.
 *
 * Layout of the shared memory (BigInt64): [0] the next message number, [1] the next event number, [2 + w]
 * writer w's mark (NONE when it holds none). Each shard has two writers that may number messages: its engine
 * thread (w = k) and the main thread's connection to its file (w = N + k), which runs units only in a process
 * without engine threads (tests of the store).
 */
const NONE = BigInt(Number.MAX_SAFE_INTEGER);

/** The memory the threads share: made once in the main thread, handed to each engine thread. */
export function messageNumberMemory(shards: number, next = { message: 1, event: 1 }): SharedArrayBuffer {
  const memory = new SharedArrayBuffer(8 * (MARKS + 2 * shards));
  const slots = new BigInt64Array(memory);
  slots[0] = BigInt(next.message);
  slots[1] = BigInt(next.event);
  for (let w = 0; w < 2 * shards; w++) slots[MARKS + w] = NONE;
  return memory;
}

/** Where the marks start. */
const MARKS = 2;

/** Starts the counters after the highest numbers of every file (a process opening the files, before any unit). */
export function startNumbersAfter(memory: SharedArrayBuffer, highest: ReadonlyArray<{ message: number; event: number }>): void {
  const slots = new BigInt64Array(memory);
  slots[0] = BigInt(Math.max(0, ...highest.map((h) => h.message)) + 1);
  slots[1] = BigInt(Math.max(0, ...highest.map((h) => h.event)) + 1);
}

export class MessageNumbers {
  private readonly slots: BigInt64Array;
  private marked = false;

  /** `writer`: this writer's slot (see above; null: a reader, which marks nothing). */
  constructor(memory: SharedArrayBuffer, private readonly writer: number | null) {
    this.slots = new BigInt64Array(memory);
  }

  /**
   * The next number, for a message of a unit under way. The mark is set before the number is taken, so it is
   * never above a number this unit holds: a reader that missed the mark read the counter before the number.
   */
  next(): number {
    if (!this.marked && this.writer !== null) {
      Atomics.store(this.slots, MARKS + this.writer, Atomics.load(this.slots, 0));
      this.marked = true;
    }
    return Number(Atomics.add(this.slots, 0, 1n));
  }

  /** The next event number. */
  nextEvent(): number {
    return Number(Atomics.add(this.slots, 1, 1n));
  }

  /** The unit committed or rolled back: its numbers are in the file or never will be. */
  settled(): void {
    if (!this.marked) return;
    Atomics.store(this.slots, MARKS + this.writer!, NONE);
    this.marked = false;
  }

  /** Every message numbered below it is committed (or never will be): the counter, read first, then the marks. */
  horizon(): number {
    let lowest = Atomics.load(this.slots, 0);
    for (let k = MARKS; k < this.slots.length; k++) {
      const mark = Atomics.load(this.slots, k);
      if (mark < lowest) lowest = mark;
    }
    return Number(lowest);
  }
}
