// Keyed token buckets: how network events are sampled before they reach FBP clients. Each key
// (an edge id, "processerror", …) may send a burst, then a steady rate; beyond it events are
// dropped. A quiet network is shown in full, a busy one cannot flood a client, and
// there is no randomness: the first events on every edge always get through.

export interface RateLimit {
  /** Events a key may send at once. */
  burst: number;
  /** Events per second a key may send once its burst is spent. */
  perSecond: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/** Keys tracked before idle ones are forgotten (a forgotten key starts again with a full burst). */
const MAX_KEYS = 10_000;

export class RateLimiter {
  readonly #limit: RateLimit;
  readonly #now: () => number;
  #buckets = new Map<string, Bucket>();

  constructor(limit: RateLimit, now: () => number = () => performance.now()) {
    this.#limit = limit;
    this.#now = now;
  }

  /** Takes one token for `key`; false when it has none left (the event is to be dropped). */
  take(key: string): boolean {
    const now = this.#now();
    let bucket = this.#buckets.get(key);
    if (!bucket) {
      if (this.#buckets.size >= MAX_KEYS) this.#buckets = new Map();
      bucket = { tokens: this.#limit.burst, at: now };
      this.#buckets.set(key, bucket);
    } else {
      bucket.tokens = Math.min(this.#limit.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.#limit.perSecond);
      bucket.at = now;
    }
    if (bucket.tokens < 1) return false;
    bucket.tokens--;
    return true;
  }
}
