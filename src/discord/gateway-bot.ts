import { REST } from '@discordjs/rest';
import { Routes, type RESTGetAPIGatewayBotResult } from 'discord.js';
import type { DiscordConfig } from '../config.js';

/**
 * `GET /gateway/bot`: the shard count Discord recommends for the bot (about one per 1,000
 * servers) and its session_start_limit (`max_concurrency` shards may IDENTIFY per 5 s).
 * Asked once when SHARDS=auto and by the cluster manager to pace cluster start-ups.
 */
export async function fetchGatewayBot(discord: DiscordConfig & { token: string }): Promise<RESTGetAPIGatewayBotResult> {
  const rest = new REST(discord.apiUrl ? { api: discord.apiUrl } : {}).setToken(discord.token);
  return (await rest.get(Routes.gatewayBot())) as RESTGetAPIGatewayBotResult;
}
