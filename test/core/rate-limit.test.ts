import { describe, expect, it } from 'vitest';
import { createRateLimiter, INTERACTION_RATE_LIMITS } from '../../src/core/rate-limit.js';

function fakeClock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

const LIMIT = { capacity: 3, refillMs: 1_000 };

describe('createRateLimiter', () => {
  it('given a burst, allows capacity takes and then says how long to wait for the next token', () => {
    const clock = fakeClock();
    const limiter = createRateLimiter(LIMIT, clock);
    expect([1, 2, 3].map(() => limiter.take('alice').allowed)).toEqual([true, true, true]);
    expect(limiter.take('alice')).toEqual({ allowed: false, retryAfterMs: 1_000 });
    clock.advance(400);
    expect(limiter.take('alice')).toEqual({ allowed: false, retryAfterMs: 600 });
  });

  it('given time passing, refills one token per refillMs, never above capacity', () => {
    const clock = fakeClock();
    const limiter = createRateLimiter(LIMIT, clock);
    for (let i = 0; i < 3; i += 1) limiter.take('alice');
    clock.advance(1_000);
    expect(limiter.take('alice').allowed).toBe(true);
    expect(limiter.take('alice').allowed).toBe(false);
    clock.advance(60_000);
    expect([1, 2, 3, 4].map(() => limiter.take('alice').allowed)).toEqual([true, true, true, false]);
  });

  it('given refused takes, does not push the next token further away', () => {
    const clock = fakeClock();
    const limiter = createRateLimiter(LIMIT, clock);
    for (let i = 0; i < 3; i += 1) limiter.take('alice');
    for (let i = 0; i < 10; i += 1) limiter.take('alice');
    clock.advance(1_000);
    expect(limiter.take('alice').allowed).toBe(true);
  });

  it('given two users, limits each on their own', () => {
    const limiter = createRateLimiter(LIMIT, fakeClock());
    for (let i = 0; i < 3; i += 1) limiter.take('alice');
    expect(limiter.take('alice').allowed).toBe(false);
    expect(limiter.take('bob').allowed).toBe(true);
  });

  it('given users gone idle long enough to be full again, forgets them', () => {
    const clock = fakeClock();
    const limiter = createRateLimiter(LIMIT, clock);
    for (let i = 0; i < 100; i += 1) limiter.take(`user${i}`);
    expect(limiter.size).toBe(100);
    clock.advance(LIMIT.capacity * LIMIT.refillMs);
    limiter.take('late');
    expect(limiter.size).toBe(1);
  });

  it('given more active users than maxKeys, keeps at most maxKeys, forgetting the least recently seen', () => {
    const clock = fakeClock();
    const limiter = createRateLimiter(LIMIT, clock, 5);
    for (let i = 0; i < 3; i += 1) limiter.take('alice');
    for (let i = 0; i < 20; i += 1) {
      limiter.take(`user${i}`);
      limiter.take('alice');
    }
    expect(limiter.size).toBeLessThanOrEqual(5);
    // alice was seen all along: still remembered, still limited.
    expect(limiter.take('alice').allowed).toBe(false);
  });

  it('given a clock that steps back, neither throws nor hands out tokens', () => {
    const clock = fakeClock();
    const limiter = createRateLimiter(LIMIT, clock);
    for (let i = 0; i < 3; i += 1) limiter.take('alice');
    clock.advance(-5_000);
    expect(limiter.take('alice').allowed).toBe(false);
  });

  it('given an impossible limit, fails fast', () => {
    expect(() => createRateLimiter({ capacity: 0, refillMs: 1_000 }, fakeClock())).toThrow(/rate limit/);
    expect(() => createRateLimiter({ capacity: 1, refillMs: 0 }, fakeClock())).toThrow(/rate limit/);
  });

  it('given the bot’s limits, 20 quick presses get 10 through and autocomplete has the longer burst', () => {
    const clock = fakeClock();
    const actions = createRateLimiter(INTERACTION_RATE_LIMITS.actions, clock);
    expect(Array.from({ length: 20 }, () => actions.take('alice').allowed).filter(Boolean)).toHaveLength(10);
    const typing = createRateLimiter(INTERACTION_RATE_LIMITS.autocomplete, clock);
    expect(Array.from({ length: 25 }, () => typing.take('alice').allowed).filter(Boolean)).toHaveLength(20);
  });
});
