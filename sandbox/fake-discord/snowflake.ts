/**
 * Discord-shaped snowflake ids for the fake Discord.
 *
 * They must look real, not just be unique: @discordjs/rest only recognises a rate-limit
 * "major parameter" (channel, guild, webhook id) when it is 17–19 digits, and derives
 * `createdTimestamp` (and the 14-day "old message" delete bucket) from the top bits.
 */

/** 2015-01-01T00:00:00Z, the first second of Discord. */
export const DISCORD_EPOCH_MS = 1_420_070_400_000n;

export interface SnowflakeGenerator {
  /** A new id, strictly greater than every id this generator returned before. */
  next(): string;
}

export function createSnowflakeGenerator(now: () => number = Date.now): SnowflakeGenerator {
  let lastMs = 0n;
  let increment = 0n;
  return {
    next() {
      let ms = BigInt(now()) - DISCORD_EPOCH_MS;
      // Keep ids monotonic even when many are made in one millisecond or the clock steps back.
      if (ms <= lastMs) {
        increment += 1n;
        if (increment > 0xfffn) {
          lastMs += 1n;
          increment = 0n;
        }
        ms = lastMs;
      } else {
        lastMs = ms;
        increment = 0n;
      }
      // worker id 1, process id 0 (bits 17–21 and 12–16); the values do not matter to clients.
      return ((ms << 22n) | (1n << 17n) | increment).toString();
    },
  };
}

/** Milliseconds since the Unix epoch encoded in a snowflake. */
export function snowflakeTimestamp(id: string): number {
  return Number((BigInt(id) >> 22n) + DISCORD_EPOCH_MS);
}

/** Discord ids in paths are 17–20 digits today; accept a little either side. */
export const SNOWFLAKE_PATTERN = /^\d{15,21}$/;
