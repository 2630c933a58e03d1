import { describe, expect, it } from 'vitest';
import { createSnowflakeGenerator, snowflakeTimestamp } from '../../sandbox/fake-discord/snowflake.js';

describe('snowflakes', () => {
  it('given ids made in the same millisecond then they are distinct, increasing and 17–19 digits', () => {
    const ids = createSnowflakeGenerator(() => 1_700_000_000_000);
    const made = Array.from({ length: 5000 }, () => ids.next());
    expect(new Set(made).size).toBe(made.length);
    for (let i = 1; i < made.length; i += 1) expect(BigInt(made[i]!) > BigInt(made[i - 1]!)).toBe(true);
    expect(made.every((id) => /^\d{17,19}$/.test(id))).toBe(true);
  });

  it('given an id then its timestamp is the creation time', () => {
    const id = createSnowflakeGenerator(() => 1_700_000_000_123).next();
    expect(snowflakeTimestamp(id)).toBe(1_700_000_000_123);
  });
});
