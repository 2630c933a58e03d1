import { createHash } from 'node:crypto';
import { REST } from '@discordjs/rest';
import { OAuth2Scopes, PermissionsBitField, Routes, type RESTPostAPIChatInputApplicationCommandsJSONBody } from 'discord.js';
import type { KeyValueStore } from '../core/library.js';

/**
 * Registering slash commands. Discord allows 200 command creations a day per guild, and a bulk
 * overwrite of unchanged commands still counts, so the hash of what was last deployed to each
 * scope is kept in the store and an unchanged deploy makes no call at all.
 */

export type DeployScope = { guildId?: string };
export type DeployResult = { action: 'deployed' | 'unchanged'; scope: string; commands: number };

export function commandsHash(bodies: readonly RESTPostAPIChatInputApplicationCommandsJSONBody[]): string {
  return createHash('sha256').update(JSON.stringify(bodies)).digest('hex');
}

export async function deployCommands(options: {
  bodies: readonly RESTPostAPIChatInputApplicationCommandsJSONBody[];
  token: string;
  applicationId: string;
  guildId?: string;
  apiUrl?: string;
  /** Hash of the last deploy per scope. */
  deployed: KeyValueStore<string>;
  force?: boolean;
}): Promise<DeployResult> {
  const scope = options.guildId ? `guild ${options.guildId}` : 'global';
  const key = `${options.applicationId}:${options.guildId ?? 'global'}`;
  const hash = commandsHash(options.bodies);
  if (!options.force && (await options.deployed.get(key)) === hash) {
    return { action: 'unchanged', scope, commands: options.bodies.length };
  }
  const rest = new REST({ version: '10', ...(options.apiUrl ? { api: options.apiUrl } : {}) }).setToken(options.token);
  const route = options.guildId
    ? Routes.applicationGuildCommands(options.applicationId, options.guildId)
    : Routes.applicationCommands(options.applicationId);
  await rest.put(route, { body: options.bodies });
  await options.deployed.set(key, hash);
  return { action: 'deployed', scope, commands: options.bodies.length };
}

/**
 * The permissions the bot asks for when invited, each for one reason:
 * View Channel and Send Messages to post paper cards, Embed Links because cards are embeds,
 * Add Reactions and Read Message History to put the 🔖 affordance on its own cards, Manage Roles
 * so /follow and /unfollow can give and take a topic's ping role (only roles below the bot's own).
 * Crossposting its own posts in announcement channels needs nothing beyond Send Messages.
 */
export const INVITE_PERMISSIONS = [
  PermissionsBitField.Flags.ViewChannel,
  PermissionsBitField.Flags.SendMessages,
  PermissionsBitField.Flags.EmbedLinks,
  PermissionsBitField.Flags.AddReactions,
  PermissionsBitField.Flags.ReadMessageHistory,
  PermissionsBitField.Flags.ManageRoles,
] as const;

export function inviteUrl(applicationId: string): string {
  const permissions = new PermissionsBitField([...INVITE_PERMISSIONS]).bitfield.toString();
  const params = new URLSearchParams({
    client_id: applicationId,
    scope: [OAuth2Scopes.Bot, OAuth2Scopes.ApplicationsCommands].join(' '),
    permissions,
  });
  return `https://discord.com/oauth2/authorize?${params.toString()}`;
}
