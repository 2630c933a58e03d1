/**
 * Which gateway shard receives a server's events: Discord's own rule,
 * `(guild_id >> 22) % shard_count` (https://discord.com/developers/docs/events/gateway#sharding).
 * The top 42 bits of a snowflake are its timestamp, so the rule spreads servers by creation time.
 * BigInt because ids exceed 2^53.
 */
export function shardOf(guildId: string, shardCount: number): number {
  if (!Number.isInteger(shardCount) || shardCount < 1) throw new RangeError(`shardOf: shard count must be a whole number ≥ 1, got ${shardCount}`);
  if (!/^\d{1,20}$/.test(guildId)) throw new RangeError('shardOf: a guild id is a snowflake (digits only)');
  return Number((BigInt(guildId) >> 22n) % BigInt(shardCount));
}

/**
 * A predicate "this process's shards own the server", for work that is not driven by a gateway
 * event (the topic schedule): every cluster sees every topic in the shared store, and each
 * must post only for its own servers, or two clusters would deliver the same topic.
 */
export function ownsGuildOf(shardIds: readonly number[], shardCount: number): (guildId: string) => boolean {
  const own = new Set(shardIds);
  for (const id of own) {
    if (!Number.isInteger(id) || id < 0 || id >= shardCount) throw new RangeError(`ownsGuildOf: shard ${id} is not one of 0…${shardCount - 1}`);
  }
  return (guildId) => own.has(shardOf(guildId, shardCount));
}
