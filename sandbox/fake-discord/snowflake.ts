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

/**
 * The shard a guild's events go to: `(guild_id >> 22) % shard_count`, Discord's rule. Written
 * here again rather than imported from the bot, so the fake checks the bot instead of agreeing
 * with it by construction.
 */
export function shardOfGuild(guildId: string, shardCount: number): number {
  return Number((BigInt(guildId) >> 22n) % BigInt(shardCount));
}

/**
 * A guild id that lands on `shard` of `shardCount`: for seeds that must spread servers across
 * shards (ids made in one millisecond share their timestamp bits, hence one shard). `n` makes
 * several distinct ids for the same shard.
 */
export function guildIdOnShard(shard: number, shardCount: number, n = 0): string {
  const base = 100_000_000_000n; // ms after the Discord epoch (2018): 18-digit ids, like real ones
  const ms = base + BigInt(shardCount) * BigInt(n) + BigInt((shard - Number(base % BigInt(shardCount)) + shardCount) % shardCount);
  return ((ms << 22n) | (1n << 17n)).toString();
}
