/**
 * The fake Discord's model of the world: users, guilds, roles, channels, members, messages,
 * registered commands and live interactions. Plain data plus lookups and a few mutations;
 * turning it into Discord's JSON is `api-objects.ts`' job, HTTP semantics are `rest-routes.ts`'.
 *
 * Seeds refer to each other by name (a channel's `parent`, a member's `roles`), so tests can
 * describe a server the way a person would; ids are generated snowflakes.
 */
import { createSnowflakeGenerator, type SnowflakeGenerator } from './snowflake.js';
import { channelPermissions, Permission, type PermissionOverwrite, type PermissionSubject } from './permissions.js';

/** Channel types the fake knows (Discord's numbers). */
export const ChannelTypes = {
  text: 0,
  dm: 1,
  category: 4,
  announcement: 5,
  /** A forum post is a public thread whose parent is the forum. */
  publicThread: 11,
  forum: 15,
} as const;

const SUPPRESS_EMBEDS = 1 << 2;

/** Threads are not seeded: they are created through the API (POST /channels/{forum}/threads). */
export type ChannelKind = Exclude<keyof typeof ChannelTypes, 'dm' | 'publicThread'>;

export interface UserSeed {
  readonly id?: string;
  readonly username: string;
  readonly globalName?: string;
}

export interface RoleSeed {
  readonly id?: string;
  readonly name: string;
  readonly permissions?: bigint;
  /** Higher is more powerful; @everyone is 0. */
  readonly position?: number;
  readonly mentionable?: boolean;
  readonly color?: number;
}

export interface OverwriteSeed {
  /** A role name, '@everyone', or a role id. */
  readonly role?: string;
  /** A user id or username, or 'bot'. */
  readonly member?: string;
  readonly allow?: bigint;
  readonly deny?: bigint;
}

export interface ChannelSeed {
  readonly id?: string;
  readonly name: string;
  readonly type?: ChannelKind;
  /** Name of a category seeded earlier in the same guild. */
  readonly parent?: string;
  readonly topic?: string;
  readonly permissionOverwrites?: readonly OverwriteSeed[];
  /** Forums only: the tags posts can carry (names; `moderated` ones need Manage Threads to apply). */
  readonly tags?: readonly (string | { readonly name: string; readonly moderated?: boolean })[];
  /** Forums only: every post must carry a tag (Discord's REQUIRE_TAG channel flag). */
  readonly requireTag?: boolean;
}

export interface MemberSeed {
  readonly user: UserSeed;
  /** Role names or ids. */
  readonly roles?: readonly string[];
}

export interface GuildSeed {
  readonly id?: string;
  readonly name?: string;
  /** Permissions of @everyone. */
  readonly everyonePermissions?: bigint;
  /** Permissions of the bot's own managed role (the one Discord creates when the bot joins). */
  readonly botPermissions?: bigint;
  readonly roles?: readonly RoleSeed[];
  readonly channels?: readonly ChannelSeed[];
  /** People in the guild besides the bot; the first is not the owner (an "owner" user is added). */
  readonly members?: readonly MemberSeed[];
  /** Name of the channel Discord posts system messages to (joins, boosts); none when omitted. */
  readonly systemChannel?: string;
}

export interface StoredUser {
  readonly id: string;
  readonly username: string;
  readonly globalName: string | null;
  readonly bot: boolean;
}

export interface StoredGuild {
  readonly id: string;
  name: string;
  readonly ownerId: string;
  readonly joinedAt: string;
  systemChannelId: string | null;
}

export interface StoredRole {
  readonly id: string;
  readonly guildId: string;
  name: string;
  permissions: bigint;
  position: number;
  color: number;
  mentionable: boolean;
  /** Set on the bot's integration role. */
  readonly botId: string | null;
}

export interface StoredChannel {
  readonly id: string;
  /** null for DM channels. */
  readonly guildId: string | null;
  type: number;
  name: string | null;
  parentId: string | null;
  position: number;
  topic: string | null;
  overwrites: PermissionOverwrite[];
  /** DM channels only. */
  readonly recipientId: string | null;
  lastMessageId: string | null;
  /** Forums only: the tags a post may carry (Discord allows at most 20). */
  availableTags?: ForumTag[];
  /** Forums only: a post without a tag is refused (40067). */
  requireTag?: boolean;
  /** Threads only (a forum post): `parentId` is the forum, the starter message has the thread's id. */
  thread?: StoredThread;
}

export interface ForumTag {
  readonly id: string;
  name: string;
  moderated: boolean;
}

export interface StoredThread {
  readonly ownerId: string;
  appliedTags: string[];
  archived: boolean;
  /** ms; when it was created or last archived or unarchived (archived lists sort by it). */
  archiveTimestamp: number;
}

export interface StoredMember {
  readonly guildId: string;
  readonly userId: string;
  roleIds: string[];
  readonly joinedAt: string;
  nick: string | null;
}

export interface StoredAttachment {
  readonly id: string;
  readonly filename: string;
  readonly contentType: string;
  readonly description: string | null;
  readonly data: Buffer;
}

export interface StoredInteractionRef {
  readonly id: string;
  readonly type: number;
  readonly userId: string;
  readonly name: string | null;
}

export interface StoredMessage {
  readonly id: string;
  readonly channelId: string;
  readonly guildId: string | null;
  readonly authorId: string;
  content: string;
  embeds: unknown[];
  components: unknown[];
  attachments: StoredAttachment[];
  flags: number;
  readonly nonce: string | number | null;
  readonly type: number;
  readonly createdAt: number;
  editedAt: number | null;
  /** Emoji key (unicode name or custom id) → ids of users who reacted. */
  readonly reactions: Map<string, { readonly emoji: ReactionEmoji; readonly users: Set<string> }>;
  /** Interaction replies are sent through the application's webhook. */
  readonly webhookId: string | null;
  readonly interaction: StoredInteractionRef | null;
  /** Ephemeral replies exist only for the interaction's user and its webhook routes. */
  readonly ephemeral: boolean;
  deleted: boolean;
}

export interface ReactionEmoji {
  readonly id: string | null;
  readonly name: string;
  readonly animated?: boolean;
}

export interface StoredCommand {
  readonly id: string;
  readonly guildId: string | null;
  version: string;
  /** The body as registered (after Discord's defaults: type 1). */
  body: Record<string, unknown>;
}

export interface StoredInteraction {
  readonly id: string;
  readonly token: string;
  /** 2 command, 3 component, 4 autocomplete, 5 modal submit. */
  readonly type: number;
  readonly guildId: string | null;
  readonly channelId: string;
  readonly userId: string;
  readonly createdAt: number;
  readonly commandName: string | null;
  /** For component interactions: the message the component is on. */
  readonly messageId: string | null;
  callbackType: number | null;
  acknowledgedAt: number | null;
  /** The message `@original` refers to, once there is one. */
  originalMessageId: string | null;
}

export interface BotSeed {
  readonly id?: string;
  readonly username?: string;
}

/** What the bot may do by default: everything a news bot needs, plus Manage Roles for topic ping roles. */
export const DEFAULT_BOT_PERMISSIONS =
  Permission.ViewChannel |
  Permission.SendMessages |
  Permission.EmbedLinks |
  Permission.AttachFiles |
  Permission.AddReactions |
  Permission.ReadMessageHistory |
  Permission.ManageMessages |
  Permission.ManageRoles |
  Permission.UseExternalEmojis;

export const DEFAULT_EVERYONE_PERMISSIONS =
  Permission.ViewChannel |
  Permission.SendMessages |
  Permission.AddReactions |
  Permission.ReadMessageHistory |
  Permission.EmbedLinks |
  Permission.AttachFiles |
  Permission.UseApplicationCommands;

/**
 * The server used when a test gives no seed: a category with a topic channel and an
 * announcement channel, a general channel, a channel where the bot may not post, a
 * mentionable role, and two people.
 */
export const DEFAULT_GUILD_SEED: GuildSeed = {
  name: 'Paperboy Lab',
  roles: [{ name: 'Readers', position: 1, mentionable: true, permissions: 0n }],
  channels: [
    { name: 'general', type: 'text' },
    { name: 'Papers', type: 'category' },
    { name: 'papers-ml', type: 'text', parent: 'Papers', topic: 'New machine learning papers' },
    { name: 'paper-news', type: 'announcement', parent: 'Papers' },
    {
      name: 'read-only',
      type: 'text',
      permissionOverwrites: [{ member: 'bot', deny: Permission.SendMessages | Permission.AddReactions }],
    },
  ],
  members: [{ user: { username: 'alice' } }, { user: { username: 'bob' }, roles: ['Readers'] }],
};

export class FakeDiscordState {
  readonly users = new Map<string, StoredUser>();
  readonly guilds = new Map<string, StoredGuild>();
  readonly roles = new Map<string, StoredRole>();
  readonly channels = new Map<string, StoredChannel>();
  /** Key: `${guildId}:${userId}`. */
  readonly members = new Map<string, StoredMember>();
  readonly messages = new Map<string, StoredMessage>();
  readonly commands = new Map<string, StoredCommand>();
  readonly interactions = new Map<string, StoredInteraction>();
  /** Users who do not accept DMs from the bot (privacy settings, a block): sends to them answer 50007. */
  readonly closedDms = new Set<string>();
  readonly bot: StoredUser;
  readonly applicationId: string;
  readonly ids: SnowflakeGenerator;

  constructor(options: { bot?: BotSeed; guilds?: readonly GuildSeed[]; ids?: SnowflakeGenerator } = {}) {
    this.ids = options.ids ?? createSnowflakeGenerator();
    this.bot = this.addUser({ id: options.bot?.id, username: options.bot?.username ?? 'Paperboy' }, true);
    // Since 2020 a bot's application id equals its user id.
    this.applicationId = this.bot.id;
    for (const seed of options.guilds ?? [DEFAULT_GUILD_SEED]) this.addGuild(seed);
  }

  addUser(seed: UserSeed, bot = false): StoredUser {
    const existing = seed.id === undefined ? this.findUserByName(seed.username) : this.users.get(seed.id);
    if (existing) return existing;
    const user: StoredUser = {
      id: seed.id ?? this.ids.next(),
      username: seed.username,
      globalName: seed.globalName ?? (bot ? null : seed.username),
      bot,
    };
    this.users.set(user.id, user);
    return user;
  }

  addGuild(seed: GuildSeed): StoredGuild {
    const owner = this.addUser({ username: 'owner' });
    const guild: StoredGuild = {
      id: seed.id ?? this.ids.next(),
      name: seed.name ?? 'Test Guild',
      ownerId: owner.id,
      joinedAt: new Date().toISOString(),
      systemChannelId: null,
    };
    this.guilds.set(guild.id, guild);

    // @everyone's id is the guild's id: Discord's convention, relied on by discord.js.
    this.addRole(guild.id, { id: guild.id, name: '@everyone', position: 0, permissions: seed.everyonePermissions ?? DEFAULT_EVERYONE_PERMISSIONS });
    const seededRoles = seed.roles ?? [];
    const topSeeded = Math.max(0, ...seededRoles.map((r) => r.position ?? 1));
    for (const role of seededRoles) this.addRole(guild.id, role);
    // The bot's managed role sits above the seeded roles so it may assign them (role hierarchy).
    const botRole = this.addRole(guild.id, { name: this.bot.username, position: topSeeded + 1, permissions: seed.botPermissions ?? DEFAULT_BOT_PERMISSIONS }, this.bot.id);

    this.addMember(guild.id, owner.id, []);
    this.addMember(guild.id, this.bot.id, [botRole.id]);
    for (const member of seed.members ?? []) {
      const user = this.addUser(member.user);
      this.addMember(guild.id, user.id, (member.roles ?? []).map((r) => this.role(r, guild.id).id));
    }

    let position = 0;
    for (const channel of seed.channels ?? []) this.addChannel(guild.id, channel, position++);
    if (seed.systemChannel !== undefined) guild.systemChannelId = this.channel(seed.systemChannel, guild.id).id;
    return guild;
  }

  addRole(guildId: string, seed: RoleSeed, botId: string | null = null): StoredRole {
    const role: StoredRole = {
      id: seed.id ?? this.ids.next(),
      guildId,
      name: seed.name,
      permissions: seed.permissions ?? 0n,
      position: seed.position ?? 1,
      color: seed.color ?? 0,
      mentionable: seed.mentionable ?? false,
      botId,
    };
    this.roles.set(role.id, role);
    return role;
  }

  addMember(guildId: string, userId: string, roleIds: string[]): StoredMember {
    const member: StoredMember = { guildId, userId, roleIds, joinedAt: new Date().toISOString(), nick: null };
    this.members.set(`${guildId}:${userId}`, member);
    return member;
  }

  addChannel(guildId: string, seed: ChannelSeed, position = this.channelsOf(guildId).length): StoredChannel {
    const channel: StoredChannel = {
      id: seed.id ?? this.ids.next(),
      guildId,
      type: ChannelTypes[seed.type ?? 'text'],
      name: seed.name,
      parentId: seed.parent === undefined ? null : this.channel(seed.parent, guildId).id,
      position,
      topic: seed.topic ?? null,
      overwrites: (seed.permissionOverwrites ?? []).map((o) => this.toOverwrite(guildId, o)),
      recipientId: null,
      lastMessageId: null,
    };
    if (channel.type === ChannelTypes.forum) {
      channel.availableTags = (seed.tags ?? []).map((t) => (typeof t === 'string' ? { name: t } : t)).map((t) => ({ id: this.ids.next(), name: t.name, moderated: t.moderated ?? false }));
      channel.requireTag = seed.requireTag ?? false;
    }
    this.channels.set(channel.id, channel);
    return channel;
  }

  /** A forum post: the thread and its starter message, which has the thread's id (as on Discord). */
  createForumThread(forum: StoredChannel, input: { name: string; appliedTags: string[]; ownerId: string }): StoredChannel {
    const thread: StoredChannel = {
      id: this.ids.next(),
      guildId: forum.guildId,
      type: ChannelTypes.publicThread,
      name: input.name,
      parentId: forum.id,
      position: 0,
      topic: null,
      overwrites: [],
      recipientId: null,
      lastMessageId: null,
      thread: { ownerId: input.ownerId, appliedTags: [...input.appliedTags], archived: false, archiveTimestamp: Date.now() },
    };
    this.channels.set(thread.id, thread);
    forum.lastMessageId = thread.id;
    return thread;
  }

  /** Threads of a forum (or of any channel), newest first. */
  threadsOf(parentId: string): StoredChannel[] {
    return [...this.channels.values()]
      .filter((c) => c.thread !== undefined && c.parentId === parentId)
      .sort((a, b) => (BigInt(b.id) > BigInt(a.id) ? 1 : BigInt(b.id) < BigInt(a.id) ? -1 : 0));
  }

  private toOverwrite(guildId: string, seed: OverwriteSeed): PermissionOverwrite {
    const allow = seed.allow ?? 0n;
    const deny = seed.deny ?? 0n;
    if (seed.member !== undefined) {
      const id = seed.member === 'bot' ? this.bot.id : this.user(seed.member).id;
      return { id, type: 1, allow, deny };
    }
    if (seed.role === undefined) throw new Error('fake discord: an overwrite needs a role or a member');
    return { id: this.role(seed.role, guildId).id, type: 0, allow, deny };
  }

  /** The DM channel with a user, created on first use as `POST /users/@me/channels` does. */
  dmChannelWith(userId: string): StoredChannel {
    for (const channel of this.channels.values()) {
      if (channel.type === ChannelTypes.dm && channel.recipientId === userId) return channel;
    }
    const channel: StoredChannel = {
      id: this.ids.next(),
      guildId: null,
      type: ChannelTypes.dm,
      name: null,
      parentId: null,
      position: 0,
      topic: null,
      overwrites: [],
      recipientId: userId,
      lastMessageId: null,
    };
    this.channels.set(channel.id, channel);
    return channel;
  }

  // ----- lookups (throwing ones are for tests; routes use the maps and answer 404) -----

  /** The first (or only) guild. */
  guild(idOrName?: string): StoredGuild {
    const guild =
      idOrName === undefined
        ? this.guilds.values().next().value
        : (this.guilds.get(idOrName) ?? [...this.guilds.values()].find((g) => g.name === idOrName));
    if (!guild) throw new Error(`fake discord: no guild ${idOrName ?? '(any)'}`);
    return guild;
  }

  channel(idOrName: string, guildId?: string): StoredChannel {
    const channel =
      this.channels.get(idOrName) ??
      [...this.channels.values()].find((c) => c.name === idOrName && (guildId === undefined || c.guildId === guildId));
    if (!channel) throw new Error(`fake discord: no channel ${idOrName}`);
    return channel;
  }

  role(idOrName: string, guildId?: string): StoredRole {
    const gid = guildId ?? this.guild().id;
    const role =
      this.roles.get(idOrName) ?? [...this.roles.values()].find((r) => r.guildId === gid && r.name === idOrName);
    if (!role) throw new Error(`fake discord: no role ${idOrName}`);
    return role;
  }

  user(idOrName: string): StoredUser {
    const user = this.users.get(idOrName) ?? this.findUserByName(idOrName);
    if (!user) throw new Error(`fake discord: no user ${idOrName}`);
    return user;
  }

  private findUserByName(username: string): StoredUser | undefined {
    return [...this.users.values()].find((u) => u.username === username);
  }

  member(guildId: string, userId: string): StoredMember | undefined {
    return this.members.get(`${guildId}:${userId}`);
  }

  membersOf(guildId: string): StoredMember[] {
    return [...this.members.values()].filter((m) => m.guildId === guildId);
  }

  rolesOf(guildId: string): StoredRole[] {
    return [...this.roles.values()].filter((r) => r.guildId === guildId);
  }

  /** The guild's channels without its threads (Discord lists threads on their own endpoints). */
  channelsOf(guildId: string): StoredChannel[] {
    return [...this.channels.values()].filter((c) => c.guildId === guildId && c.thread === undefined);
  }

  /** Non-ephemeral, non-deleted messages of a channel, oldest first. */
  messagesIn(channelIdOrName: string): StoredMessage[] {
    const channelId = this.channel(channelIdOrName).id;
    return [...this.messages.values()].filter((m) => m.channelId === channelId && !m.ephemeral && !m.deleted);
  }

  /** What GET /channels/{id}/messages lists: live, non-ephemeral messages, newest first (ids are time-ordered). */
  historyOf(channelId: string): StoredMessage[] {
    return [...this.messages.values()]
      .filter((m) => m.channelId === channelId && !m.ephemeral && !m.deleted)
      .sort((a, b) => (BigInt(b.id) > BigInt(a.id) ? 1 : BigInt(b.id) < BigInt(a.id) ? -1 : 0));
  }

  commandsOf(guildId: string | null): StoredCommand[] {
    return [...this.commands.values()].filter((c) => c.guildId === guildId);
  }

  /** A user's permissions in a channel (DMs: the basics). */
  permissionsIn(channel: StoredChannel, userId: string): bigint {
    if (channel.guildId === null) {
      return Permission.ViewChannel | Permission.SendMessages | Permission.EmbedLinks | Permission.AttachFiles | Permission.AddReactions | Permission.ReadMessageHistory;
    }
    const subject = this.permissionSubject(channel.guildId, userId);
    if (!subject) return 0n;
    // A thread has no overwrites of its own: its parent's apply.
    const parent = channel.thread && channel.parentId !== null ? this.channels.get(channel.parentId) : undefined;
    if (parent) return channelPermissions(subject, parent.overwrites);
    // Discord copies a category's overwrites into its channels when they are created (synced);
    // it never evaluates the parent's at request time, so neither does the fake.
    return channelPermissions(subject, channel.overwrites);
  }

  permissionSubject(guildId: string, userId: string): PermissionSubject | undefined {
    const guild = this.guilds.get(guildId);
    const member = this.member(guildId, userId);
    if (!guild || !member) return undefined;
    return {
      guildId,
      ownerId: guild.ownerId,
      userId,
      roleIds: member.roleIds,
      rolePermissions: new Map(this.rolesOf(guildId).map((r) => [r.id, r.permissions])),
    };
  }

  /** Highest role position of a member (@everyone = 0). */
  topRolePosition(guildId: string, userId: string): number {
    const member = this.member(guildId, userId);
    if (!member) return -1;
    return Math.max(0, ...member.roleIds.map((id) => this.roles.get(id)?.position ?? 0));
  }

  // ----- mutations -----

  createMessage(input: {
    /** Only a forum post's starter message is given one: the thread's id. */
    id?: string;
    channelId: string;
    authorId?: string;
    content?: string;
    embeds?: unknown[];
    components?: unknown[];
    attachments?: StoredAttachment[];
    flags?: number;
    nonce?: string | number | null;
    type?: number;
    webhookId?: string | null;
    interaction?: StoredInteractionRef | null;
    ephemeral?: boolean;
  }): StoredMessage {
    const channel = this.channel(input.channelId);
    const message: StoredMessage = {
      id: input.id ?? this.ids.next(),
      channelId: channel.id,
      guildId: channel.guildId,
      authorId: input.authorId ?? this.bot.id,
      content: input.content ?? '',
      embeds: input.embeds ?? [],
      components: input.components ?? [],
      attachments: input.attachments ?? [],
      flags: input.flags ?? 0,
      nonce: input.nonce ?? null,
      type: input.type ?? 0,
      createdAt: Date.now(),
      editedAt: null,
      reactions: new Map(),
      webhookId: input.webhookId ?? null,
      interaction: input.interaction ?? null,
      ephemeral: input.ephemeral ?? false,
      deleted: false,
    };
    this.messages.set(message.id, message);
    if (!message.ephemeral) channel.lastMessageId = message.id;
    return message;
  }

  /** Applies the fields of a message edit body that the fake models. */
  editMessage(message: StoredMessage, body: Record<string, unknown>, attachments: StoredAttachment[]): void {
    if ('content' in body) message.content = typeof body.content === 'string' ? body.content : '';
    if ('embeds' in body) message.embeds = Array.isArray(body.embeds) ? body.embeds : [];
    if ('components' in body) message.components = Array.isArray(body.components) ? body.components : [];
    // Of the flags, an edit may only toggle SUPPRESS_EMBEDS; ephemeral/crossposted/loading stay.
    if (typeof body.flags === 'number') message.flags = (message.flags & ~SUPPRESS_EMBEDS) | (body.flags & SUPPRESS_EMBEDS);
    if ('attachments' in body || attachments.length > 0) {
      // `attachments` in an edit lists the ones to keep (by id) plus new uploads (by file index).
      const keep = new Set(
        (Array.isArray(body.attachments) ? body.attachments : [])
          .map((a) => (typeof a === 'object' && a !== null ? String((a as { id?: unknown }).id) : ''))
          .filter((id) => id.length > 0),
      );
      message.attachments = [...message.attachments.filter((a) => keep.has(a.id)), ...attachments];
    }
    message.editedAt = Date.now();
  }

  static emojiKey(emoji: ReactionEmoji): string {
    return emoji.id ?? emoji.name;
  }

  /** Returns false when the user had already reacted with that emoji (Discord then sends no event). */
  addReaction(message: StoredMessage, emoji: ReactionEmoji, userId: string): boolean {
    const key = FakeDiscordState.emojiKey(emoji);
    let entry = message.reactions.get(key);
    if (!entry) {
      entry = { emoji, users: new Set() };
      message.reactions.set(key, entry);
    }
    if (entry.users.has(userId)) return false;
    entry.users.add(userId);
    return true;
  }

  removeReaction(message: StoredMessage, emoji: ReactionEmoji, userId: string): boolean {
    const key = FakeDiscordState.emojiKey(emoji);
    const entry = message.reactions.get(key);
    if (!entry?.users.delete(userId)) return false;
    if (entry.users.size === 0) message.reactions.delete(key);
    return true;
  }
}
