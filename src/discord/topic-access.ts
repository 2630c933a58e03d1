import {
  ChannelType,
  OverwriteType,
  PermissionFlagsBits,
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

/** Channel types a topic can post in (announcement posts are also crossposted; in a forum each paper is its own post). */
export const TOPIC_CHANNEL_TYPES = [ChannelType.GuildText, ChannelType.GuildAnnouncement, ChannelType.GuildForum] as const;

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
    throw new UserFacingError(`${channelLabel(channel)} is not a text, announcement or forum channel.`, 'Topics post into text, announcement or forum channels.');
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

/** One permission overwrite as Discord stores it (type: OverwriteType.Role or .Member). */
export type OverwriteBits = { readonly id: string; readonly type: OverwriteType; readonly allow: bigint; readonly deny: bigint };

/** What decides whether a role gives its holders more than @everyone: plain bitfields, no discord.js objects. */
export type RoleGrantFacts = {
  /** The guild's id, which is also the @everyone role's id. */
  readonly guildId: string;
  readonly roleId: string;
  readonly rolePermissions: bigint;
  readonly everyonePermissions: bigint;
  readonly channels: readonly { readonly id: string; readonly name: string; readonly overwrites: readonly OverwriteBits[] }[];
};

/** Permission bits a role gives beyond @everyone: server-wide, and per channel through its overwrites. */
export type ExtraPermissions = {
  readonly serverWide: bigint;
  readonly channels: readonly { readonly id: string; readonly name: string; readonly extra: bigint }[];
};

/**
 * The one rule for roles members give themselves (/follow): the role must let its holder do
 * nothing a member without it could not, server-wide or in any channel. Anything else would make
 * /follow a way to grant permissions (Mute Members, a private channel, a way around a mute).
 *
 * Server-wide: any bit @everyone lacks (Administrator alone when present: it overrides every
 * overwrite). Per channel, following Discord's order (@everyone overwrite, then all role
 * overwrites at once with allow winning over deny): an allow of the role counts when @everyone
 * does not have that permission in the channel, or when another role's overwrite denies it
 * there, since the role's allow would lift that deny (a "Muted" role's, say).
 */
export function permissionsBeyondEveryone(facts: RoleGrantFacts): ExtraPermissions {
  const serverWide = facts.rolePermissions & ~facts.everyonePermissions;
  if ((serverWide & PermissionFlagsBits.Administrator) !== 0n) return { serverWide: PermissionFlagsBits.Administrator, channels: [] };
  const channels: { id: string; name: string; extra: bigint }[] = [];
  for (const channel of facts.channels) {
    const isRole = (o: OverwriteBits) => o.type === OverwriteType.Role;
    const own = channel.overwrites.find((o) => isRole(o) && o.id === facts.roleId);
    if (!own || own.allow === 0n) continue;
    const everyone = channel.overwrites.find((o) => isRole(o) && o.id === facts.guildId);
    const everyoneHere = everyone ? (facts.everyonePermissions & ~everyone.deny) | everyone.allow : facts.everyonePermissions;
    const deniedByOtherRoles = channel.overwrites
      .filter((o) => isRole(o) && o.id !== facts.roleId && o.id !== facts.guildId)
      .reduce((denied, o) => denied | o.deny, 0n);
    const extra = own.allow & (~everyoneHere | deniedByOtherRoles);
    if (extra !== 0n) channels.push({ id: channel.id, name: channel.name, extra });
  }
  return { serverWide, channels };
}

export function hasExtraPermissions(extra: ExtraPermissions): boolean {
  return extra.serverWide !== 0n || extra.channels.length > 0;
}

/** The facts of `role` from the cache (roles and overwrites are kept current by the Guilds intent). */
export function roleGrantFacts(role: Role): RoleGrantFacts {
  const { guild } = role;
  const channels: RoleGrantFacts['channels'][number][] = [];
  for (const channel of guild.channels.cache.values()) {
    // Threads have no overwrites of their own: they follow their parent channel.
    if (channel.isThread()) continue;
    channels.push({
      id: channel.id,
      name: channel.name,
      overwrites: channel.permissionOverwrites.cache.map((o) => ({ id: o.id, type: o.type, allow: o.allow.bitfield, deny: o.deny.bitfield })),
    });
  }
  return {
    guildId: guild.id,
    roleId: role.id,
    rolePermissions: role.permissions.bitfield,
    everyonePermissions: guild.roles.everyone.permissions.bitfield,
    channels,
  };
}

/** Channels named in a refusal; the rest are counted, so the answer stays short. */
const CHANNELS_NAMED = 3;

/** "**Mute Members, Move Members**; **View Channel** in #staff" for an admin's refusal. */
export function describeExtraPermissions(extra: ExtraPermissions): string {
  const parts: string[] = [];
  if (extra.serverWide !== 0n) parts.push(`**${permissionNames([extra.serverWide]).join(', ')}**`);
  for (const channel of extra.channels.slice(0, CHANNELS_NAMED)) {
    parts.push(`**${permissionNames([channel.extra]).join(', ')}** in ${channelLabel(channel)}`);
  }
  const more = extra.channels.length - CHANNELS_NAMED;
  if (more > 0) parts.push(`more in ${more} other channel${more === 1 ? '' : 's'}`);
  return parts.join('; ');
}

/** Permissions that act on other members, which Discord allows only on members ranked lower. */
const MODERATION = PermissionFlagsBits.Administrator | PermissionFlagsBits.KickMembers | PermissionFlagsBits.BanMembers | PermissionFlagsBits.ModerateMembers;

/**
 * The lowest role that moderates members (kick, ban, timeout, admin) and does not sit above
 * `role`. Discord lets a moderator act only on members whose highest role is below theirs, so
 * anyone who takes `role` with /follow would be out of that role's reach.
 */
export function outrankedModerators(role: Role): Role | undefined {
  let lowest: Role | undefined;
  for (const other of role.guild.roles.cache.values()) {
    if (other.id === role.id || other.id === role.guild.id) continue;
    if ((other.permissions.bitfield & MODERATION) === 0n || role.comparePositionTo(other) < 0) continue;
    if (!lowest || other.comparePositionTo(lowest) < 0) lowest = other;
  }
  return lowest;
}

/** Throws unless `role` gives nothing beyond @everyone (names what it gives: the caller is an admin). */
export function assertNoExtraPermissions(role: Role): void {
  const moderators = outrankedModerators(role);
  if (moderators) {
    throw new UserFacingError(
      `${roleLabel(role)} is not below ${roleLabel(moderators)}, which moderates members: anyone who takes it with /follow would be out of that role's reach (kick, ban, timeout).`,
      `Drag ${roleLabel(role)} below ${roleLabel(moderators)} in Server Settings → Roles, then run the command again.`,
    );
  }
  const extra = permissionsBeyondEveryone(roleGrantFacts(role));
  if (!hasExtraPermissions(extra)) return;
  throw new UserFacingError(
    `${roleLabel(role)} grants ${describeExtraPermissions(extra)} beyond what @everyone has, and anyone can take a topic role with /follow.`,
    'Use a role made for this topic, with no permissions of its own and no channel overwrites that allow anything.',
  );
}

/** A warning for a topic whose role already gives more than @everyone (an edit elsewhere should not be blocked by it). */
export function extraPermissionsNote(role: Role): string | undefined {
  const extra = permissionsBeyondEveryone(roleGrantFacts(role));
  if (!hasExtraPermissions(extra)) return undefined;
  return `${roleLabel(role)} now grants ${describeExtraPermissions(extra)} beyond what @everyone has: /follow won't give it out until that is removed or the topic gets another role (/topic edit role:).`;
}

/**
 * Throws unless `role` can be a topic's ping role set by `member`: the bot can manage it, it grants
 * nothing beyond @everyone (anyone can /follow it), and the member could give it out themselves
 * (else /topic would let someone with Manage Channels hand out roles they cannot).
 */
export async function assertUsableTopicRole(guild: Guild, role: Role, member: GuildMember): Promise<void> {
  const problem = botRoleProblem(role, await botMember(guild));
  if (problem) throw new UserFacingError(problem, 'Pick another role, or leave role out: posts then ping nobody.');
  assertNoExtraPermissions(role);
  if (guild.ownerId !== member.id) {
    if (!member.permissions.has(PermissionFlagsBits.ManageRoles)) {
      throw new UserFacingError(`You need **Manage Roles** to make ${roleLabel(role)} a topic role (members get it with /follow).`);
    }
    if (role.comparePositionTo(member.roles.highest) >= 0) {
      throw new UserFacingError(`${roleLabel(role)} is not below your highest role, so you could not give it out yourself.`);
    }
  }
}
