import { Client, GatewayIntentBits, Partials } from 'discord.js';
import type { DiscordConfig } from '../config.js';

/** Gateway shards of one process: `ids` out of 0…count-1. */
export type ShardAssignment = { readonly ids: readonly number[]; readonly count: number };

/**
 * The discord.js client. Intents: Guilds (channels, roles, interactions' context) and
 * GuildMessageReactions (🔖) only — no privileged intents. Partials Message, Reaction and
 * User, because reactions on messages posted before a restart arrive only as partials.
 * `apiUrl` moves REST and, through GET /gateway/bot, the gateway too (proxies, tests).
 * `shards`: the gateway shards this process runs, of how many in all (scale-out); without it,
 * discord.js runs shard 0 of 1.
 */
export function createDiscordClient(discord: DiscordConfig, shards?: ShardAssignment): Client {
  return new Client({
    intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessageReactions],
    partials: [Partials.Message, Partials.Reaction, Partials.User],
    allowedMentions: { parse: [] },
    ...(discord.apiUrl ? { rest: { api: discord.apiUrl } } : {}),
    ...(shards ? { shards: [...shards.ids], shardCount: shards.count } : {}),
  });
}
