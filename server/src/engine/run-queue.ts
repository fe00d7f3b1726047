// The FIFO of runs waiting for a free slot. O(1) to add, take and remove (a removed run is
// skipped when its turn comes), so ten thousand queued runs cost nothing per operation.

export class RunQueue<T> {
  #items: (T | undefined)[] = [];
  #head = 0;
  readonly #members = new Set<T>();

  /** Runs waiting. */
  get size(): number {
    return this.#members.size;
  }

  push(item: T): void {
    this.#items.push(item);
    this.#members.add(item);
  }

  /** Takes it out of the queue; false if it was not waiting. */
  remove(item: T): boolean {
    return this.#members.delete(item);
  }

  /** The oldest waiting item, removed from the queue. */
  shift(): T | undefined {
    while (this.#head < this.#items.length) {
      const item = this.#items[this.#head];
      this.#items[this.#head++] = undefined;
      if (this.#head >= 1024 && this.#head * 2 >= this.#items.length) {
        this.#items = this.#items.slice(this.#head);
        this.#head = 0;
      }
      if (item !== undefined && this.#members.delete(item)) return item;
    }
    return undefined;
  }

  /** The waiting items, oldest first. */
  *[Symbol.iterator](): IterableIterator<T> {
    for (let i = this.#head; i < this.#items.length; i++) {
      const item = this.#items[i];
      if (item !== undefined && this.#members.has(item)) yield item;
    }
  }
}
