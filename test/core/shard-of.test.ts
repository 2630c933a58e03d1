import { describe, expect, it } from 'vitest';
import { ownsGuildOf, shardOf } from '../../src/core/shard-of.js';

// Guild ids built from a timestamp part, as Discord's are: (ms << 22) | low bits.
const guildAt = (ms: bigint, low = 0x2_1001n) => ((ms << 22n) | low).toString();

describe('shardOf', () => {
  it("given Discord's documented example, answers its shard", () => {
    // Discord's docs: guild 197038439483310086 is on shard 0 of 1 and, by the formula, (id >> 22) % n.
    expect(shardOf('197038439483310086', 1)).toBe(0);
    expect(shardOf('197038439483310086', 4)).toBe(Number((197038439483310086n >> 22n) % 4n));
  });

  it('uses only the timestamp bits, so the low bits never move a server', () => {
    expect(shardOf(guildAt(1_000_003n, 0n), 4)).toBe(3);
    expect(shardOf(guildAt(1_000_003n, 0x3f_ffffn), 4)).toBe(3);
  });

  it('is exact above 2^53, where Number would round', () => {
    const id = '1152921504606846975'; // 2^60 - 1
    expect(shardOf(id, 7)).toBe(Number(((2n ** 60n - 1n) >> 22n) % 7n));
  });

  it('refuses a shard count below 1 and ids that are not snowflakes', () => {
    expect(() => shardOf('197038439483310086', 0)).toThrow(RangeError);
    expect(() => shardOf('12ab', 2)).toThrow(RangeError);
  });
});

describe('ownsGuildOf', () => {
  it('given shards 0 and 2 of 4, owns exactly the servers of those shards', () => {
    const owns = ownsGuildOf([0, 2], 4);
    expect([0n, 1n, 2n, 3n, 4n, 6n].map((ms) => owns(guildAt(1_000_000n + ms)))).toEqual([true, false, true, false, true, true]);
  });

  it('refuses a shard id outside the count', () => {
    expect(() => ownsGuildOf([4], 4)).toThrow(RangeError);
  });
});
