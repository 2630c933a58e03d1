import {
  ChannelType,
  PermissionFlagsBits,
  PermissionsBitField,
  type Guild,
  type GuildBasedChannel,
  type GuildMember,
  type Role,
} from 'discord.js';
import { UserFacingError } from '../core/errors.js';
import { CARD_PERMISSIONS, missingPermissionNames, permissionNames } from './interaction-errors.js';
import { safeText } from './render/text.js';

/**
 * What a topic needs from Discord, checked before it is saved (and again on resume and follow):
 * a text or announcement channel where the bot can post cards, and a ping role the bot can give
 * and take. Each check throws UserFacingError naming exactly what is missing and where.
 */

/** Channel types a topic can post in (announcement posts are also crossposted). */
export const TOPIC_CHANNEL_TYPES = [ChannelType.GuildText, ChannelType.GuildAnnouncement] as const;

/**
 * Permissions a topic role must not grant beyond what @everyone already has: anyone can take the
 * role with /follow, so a role carrying one of these would be a way to become a moderator.
 */
export const ELEVATED_PERMISSIONS = [
  PermissionFlagsBits.Administrator,
  PermissionFlagsBits.ManageGuild,
  PermissionFlagsBits.ManageRoles,
  PermissionFlagsBits.ManageChannels,
  PermissionFlagsBits.ManageWebhooks,
  PermissionFlagsBits.ManageMessages,
  PermissionFlagsBits.ManageThreads,
  PermissionFlagsBits.ManageNicknames,
  PermissionFlagsBits.ManageGuildExpressions,
  PermissionFlagsBits.ManageEvents,
  PermissionFlagsBits.KickMembers,
  PermissionFlagsBits.BanMembers,
  PermissionFlagsBits.ModerateMembers,
  PermissionFlagsBits.MentionEveryone,
  PermissionFlagsBits.ViewAuditLog,
] as const;

/** The bot's own member in the guild (in the cache since GUILD_CREATE; fetched if not). */
export async function botMember(guild: Guild): Promise<GuildMember> {
  return guild.members.me ?? (await guild.members.fetchMe());
}

/** `#name` as plain escaped text: notices make mention syntax inert, so a `<#id>` would not render. */
export function channelLabel(channel: { name: string }): string {
  return `#${safeText(channel.name, 100)}`;
}

export function roleLabel(role: { name: string }): string {
  return `@${safeText(role.name.replace(/^@/, ''), 100)}`;
}

/** The channel a topic posts in, if it still exists and is a text or announcement channel. */
export async function topicChannel(guild: Guild, channelId: string): Promise<GuildBasedChannel | undefined> {
  const channel = guild.channels.cache.get(channelId) ?? (await guild.channels.fetch(channelId).catch(() => null)) ?? undefined;
  return channel ?? undefined;
}

/**
 * Throws unless the bot can post a card (view, send, embed, react, read history) in the channel.
 * Computed from the cached overwrites and roles (kept current by the Guilds intent), not from the
 * interaction's app_permissions, which describe the channel the command was run in.
 */
export async function assertCanPostIn(guild: Guild, channelId: string): Promise<GuildBasedChannel> {
  const channel = await topicChannel(guild, channelId);
  if (!channel) throw new UserFacingError('That channel no longer exists.', 'Pick another with /topic edit channel:.');
  if (!(TOPIC_CHANNEL_TYPES as readonly ChannelType[]).includes(channel.type)) {
    throw new UserFacingError(`${channelLabel(channel)} is not a text or announcement channel.`, 'Topics post into text or announcement channels.');
  }
  const me = await botMember(guild);
  const have = channel.permissionsFor(me);
  const missing = have ? missingPermissionNames(have, CARD_PERMISSIONS) : permissionNames(CARD_PERMISSIONS);
  if (missing.length > 0) {
    throw new UserFacingError(
      `I can't post papers in ${channelLabel(channel)}: I'm missing **${missing.join(', ')}** there.`,
      'A server admin can grant it in the channel settings → Permissions; then run the command again.',
    );
  }
  return channel;
}

/** Why the bot cannot give and take `role`, or undefined when it can. */
export function botRoleProblem(role: Role, me: GuildMember): string | undefined {
  const label = roleLabel(role);
  if (role.id === role.guild.id) return 'The @everyone role cannot be a topic role: everyone has it already.';
  if (role.managed) return `${label} is managed by an integration (a bot's or the booster role): Discord lets nobody give it out.`;
  if (!me.permissions.has(PermissionFlagsBits.ManageRoles)) {
    return `I need the **Manage Roles** permission to give and take ${label}.`;
  }
  if (role.comparePositionTo(me.roles.highest) >= 0) {
    return `${label} is not below my highest role (${roleLabel(me.roles.highest)}), so Discord does not let me give it. Drag my role above it in Server Settings → Roles.`;
  }
  return undefined;
}

/** The permissions `role` grants that @everyone does not have and a self-assigned role must not grant. */
export function elevatedPermissionNames(role: Role): string[] {
  const everyone = role.guild.roles.everyone.permissions;
  const extra = new PermissionsBitField(role.permissions.bitfield & ~everyone.bitfield);
  return extra.has(PermissionFlagsBits.Administrator, false)
    ? permissionNames([PermissionFlagsBits.Administrator])
    : permissionNames(ELEVATED_PERMISSIONS.filter((p) => extra.has(p, false)));
}

/**
 * Throws unless `role` can be a topic's ping role set by `member`: the bot can manage it, it grants
 * no moderation permissions (anyone can /follow it), and the member could give it out themselves
 * (else /topic would let someone with Manage Channels hand out roles they cannot).
 */
export async function assertUsableTopicRole(guild: Guild, role: Role, member: GuildMember): Promise<void> {
  const problem = botRoleProblem(role, await botMember(guild));
  if (problem) throw new UserFacingError(problem, 'Pick another role, or leave role out: posts then ping nobody.');
  const elevated = elevatedPermissionNames(role);
  if (elevated.length > 0) {
    throw new UserFacingError(
      `${roleLabel(role)} grants **${elevated.join(', ')}**, and anyone can take a topic role with /follow.`,
      'Use a role without moderation permissions, made for this topic.',
    );
  }
  if (guild.ownerId !== member.id) {
    if (!member.permissions.has(PermissionFlagsBits.ManageRoles)) {
      throw new UserFacingError(`You need **Manage Roles** to make ${roleLabel(role)} a topic role (members get it with /follow).`);
    }
    if (role.comparePositionTo(member.roles.highest) >= 0) {
      throw new UserFacingError(`${roleLabel(role)} is not below your highest role, so you could not give it out yourself.`);
    }
  }
}
