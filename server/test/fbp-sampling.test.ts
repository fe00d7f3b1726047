// Sampling of network events for FBP clients: keyed token buckets, deterministic (no randomness).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RateLimiter } from '../src/fbp/rate-limiter.ts';

describe('FBP event sampling (RateLimiter)', () => {
  it('lets the first `burst` events of a key through, then `perSecond`, each key on its own', () => {
    let now = 0;
    const limiter = new RateLimiter({ burst: 3, perSecond: 2 }, () => now);
    const take = (key: string, n: number) => Array.from({ length: n }, () => limiter.take(key)).filter(Boolean).length;
    assert.equal(take('a', 10), 3, 'the burst');
    assert.equal(take('b', 10), 3, 'another key has its own burst');
    now += 1000;
    assert.equal(take('a', 10), 2, 'two per second afterwards');
    now += 250;
    assert.equal(take('a', 10), 0, 'half a token is not a token');
    now += 250;
    assert.equal(take('a', 10), 1);
    now += 60_000;
    assert.equal(take('a', 10), 3, 'an idle key refills up to the burst, no more');
  });
});
