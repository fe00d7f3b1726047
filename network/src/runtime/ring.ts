// A growable FIFO ring buffer: O(1) push/shift without the array re-indexing of Array#shift.

const UNALLOCATED: never[] = [];

export class Ring<T> {
  /** Allocated on the first push: an idle queue costs no buffer. */
  #buf: (T | undefined)[] = UNALLOCATED;
  /** Capacity - 1 once allocated; until then minus the initial capacity (so the first push grows). */
  #mask: number;
  #head = 0; // next write
  #tail = 0; // next read

  constructor(initialCapacity = 16) {
    let cap = 4;
    while (cap < initialCapacity) cap <<= 1;
    this.#mask = -cap;
  }

  get size(): number {
    return this.#head - this.#tail;
  }

  push(value: T): void {
    if (this.#head - this.#tail > this.#mask) this.#grow();
    this.#buf[this.#head++ & this.#mask] = value;
  }

  /** Removes and returns the oldest value; `undefined` when empty (check `size` first if values may be undefined). */
  shift(): T | undefined {
    if (this.#head === this.#tail) return undefined;
    const i = this.#tail++ & this.#mask;
    const v = this.#buf[i];
    this.#buf[i] = undefined;
    return v;
  }

  /** The oldest value without removing it. */
  peek(): T | undefined {
    return this.#head === this.#tail ? undefined : this.#buf[this.#tail & this.#mask];
  }

  clear(): void {
    if (this.#mask >= 0) this.#buf.fill(undefined);
    this.#head = this.#tail = 0;
  }

  /** Removes every entry for which `drop` returns true, keeping order. Returns how many were removed. */
  removeWhere(drop: (value: T) => boolean): number {
    const kept: T[] = [];
    let removed = 0;
    while (this.size > 0) {
      const v = this.shift() as T;
      if (drop(v)) removed++;
      else kept.push(v);
    }
    for (const v of kept) this.push(v);
    return removed;
  }

  *[Symbol.iterator](): IterableIterator<T> {
    for (let i = this.#tail; i < this.#head; i++) yield this.#buf[i & this.#mask] as T;
  }

  #grow(): void {
    const size = this.size;
    const next = new Array<T | undefined>(this.#mask < 0 ? -this.#mask : (this.#mask + 1) * 2);
    for (let i = 0; i < size; i++) next[i] = this.#buf[(this.#tail + i) & this.#mask];
    this.#buf = next;
    this.#mask = next.length - 1;
    this.#tail = 0;
    this.#head = size;
  }
}
