import { Client, GatewayIntentBits, Partials } from 'discord.js';
import type { DiscordConfig } from '../config.js';

/**
 * The discord.js client. Intents: Guilds (channels, roles, interactions' context) and
 * GuildMessageReactions (🔖) only — no privileged intents. Partials Message, Reaction and
 * User, because reactions on messages posted before a restart arrive only as partials.
 * `apiUrl` moves REST and, through GET /gateway/bot, the gateway too (proxies, tests).
 */
export function createDiscordClient(discord: DiscordConfig): Client {
  return new Client({
    intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessageReactions],
    partials: [Partials.Message, Partials.Reaction, Partials.User],
    allowedMentions: { parse: [] },
    ...(discord.apiUrl ? { rest: { api: discord.apiUrl } } : {}),
  });
}
