/**
 * A binary min-heap of entries by `at`, the earliest first: the engine's overdue users (engine/overdue-users.ts)
 * and a simulation's timers (store/sqlite/live-instances.ts). Entries with the same `at` come out in no
 * particular order.
 */
export class TimeHeap<E extends { at: number }> {
  private readonly entries: E[] = [];

  get size(): number {
    return this.entries.length;
  }

  /** The earliest entry, left in the heap; undefined when it is empty. */
  peek(): E | undefined {
    return this.entries[0];
  }

  push(entry: E): void {
    const heap = this.entries;
    heap.push(entry);
    let k = heap.length - 1;
    while (k > 0) {
      const parent = (k - 1) >> 1;
      if (heap[parent]!.at <= entry.at) break;
      heap[k] = heap[parent]!;
      k = parent;
    }
    heap[k] = entry;
  }

  /** Takes the earliest entry out; undefined when the heap is empty. */
  pop(): E | undefined {
    const heap = this.entries;
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0 && last !== undefined) {
      let k = 0;
      for (;;) {
        const left = 2 * k + 1;
        if (left >= heap.length) break;
        const child = left + 1 < heap.length && heap[left + 1]!.at < heap[left]!.at ? left + 1 : left;
        if (heap[child]!.at >= last.at) break;
        heap[k] = heap[child]!;
        k = child;
      }
      heap[k] = last;
    }
    return top;
  }
}
