/**
 * Stored state → Discord's JSON objects (users, roles, members, channels, messages, guilds,
 * commands), typed against discord-api-types so a missing or misspelled field fails to compile
 * instead of failing silently inside discord.js.
 */
import type {
  APIApplicationCommand,
  APIAttachment,
  APIChannel,
  APIEmbed,
  APIGuildMember,
  APIMessage,
  APIMessageTopLevelComponent,
  APIOverwrite,
  APIReaction,
  APIRole,
  APIUser,
  ChannelFlags,
  GatewayGuildCreateDispatchData,
  GuildMemberFlags,
  GuildSystemChannelFlags,
  RoleFlags,
} from 'discord.js';
import { ChannelTypes, type FakeDiscordState, type StoredAttachment, type StoredChannel, type StoredThread, type StoredCommand, type StoredMember, type StoredMessage, type StoredRole, type StoredUser } from './state.js';

export interface ApiObjectContext {
  readonly state: FakeDiscordState;
  /** `http://127.0.0.1:PORT`, for attachment URLs. */
  readonly origin: string;
}

export function toApiUser(user: StoredUser): APIUser {
  return {
    id: user.id,
    username: user.username,
    // Discord's pomelo usernames have discriminator "0".
    discriminator: '0',
    global_name: user.globalName,
    avatar: null,
    ...(user.bot ? { bot: true } : {}),
  };
}

export function toApiRole(role: StoredRole): APIRole {
  return {
    id: role.id,
    name: role.name,
    color: role.color,
    colors: { primary_color: role.color, secondary_color: null, tertiary_color: null },
    hoist: false,
    icon: null,
    unicode_emoji: null,
    position: role.position,
    // Permissions travel as decimal strings: they do not fit in a double.
    permissions: role.permissions.toString(),
    managed: role.botId !== null,
    mentionable: role.mentionable,
    flags: 0 as RoleFlags,
    ...(role.botId !== null ? { tags: { bot_id: role.botId } } : {}),
  };
}

export function toApiMember(state: FakeDiscordState, member: StoredMember): APIGuildMember {
  return {
    user: toApiUser(state.user(member.userId)),
    nick: member.nick,
    avatar: null,
    banner: null,
    roles: [...member.roleIds],
    joined_at: member.joinedAt,
    premium_since: null,
    deaf: false,
    mute: false,
    flags: 0 as GuildMemberFlags,
    pending: false,
    communication_disabled_until: null,
  };
}

export function toApiOverwrites(channel: StoredChannel): APIOverwrite[] {
  return channel.overwrites.map((o) => ({ id: o.id, type: o.type, allow: o.allow.toString(), deny: o.deny.toString() }));
}

export function toApiChannel(state: FakeDiscordState, channel: StoredChannel): APIChannel {
  if (channel.type === ChannelTypes.dm) {
    return {
      id: channel.id,
      type: ChannelTypes.dm,
      last_message_id: channel.lastMessageId,
      name: null,
      recipients: channel.recipientId === null ? [] : [toApiUser(state.user(channel.recipientId))],
    };
  }
  const guildFields = {
    id: channel.id,
    guild_id: channel.guildId ?? undefined,
    name: channel.name ?? '',
    position: channel.position,
    permission_overwrites: toApiOverwrites(channel),
    nsfw: false,
  };
  if (channel.type === ChannelTypes.category) {
    // Categories cannot be nested.
    return { ...guildFields, parent_id: null, type: ChannelTypes.category };
  }
  if (channel.type === ChannelTypes.forum) return toApiForum(channel, guildFields);
  if (channel.thread) return toApiThread(channel, channel.thread);
  const textFields = {
    ...guildFields,
    parent_id: channel.parentId,
    topic: channel.topic,
    last_message_id: channel.lastMessageId,
    last_pin_timestamp: null,
    rate_limit_per_user: 0,
    default_auto_archive_duration: 1440 as const,
  };
  return channel.type === ChannelTypes.announcement
    ? { ...textFields, type: ChannelTypes.announcement }
    : { ...textFields, type: ChannelTypes.text };
}

function toApiForum(channel: StoredChannel, guildFields: { id: string; guild_id: string | undefined; name: string; position: number; permission_overwrites: APIOverwrite[]; nsfw: boolean }): APIChannel {
  return {
    ...guildFields,
    type: ChannelTypes.forum,
    parent_id: channel.parentId,
    topic: channel.topic,
    // A forum's last_message_id is its newest post (thread) id.
    last_message_id: channel.lastMessageId,
    rate_limit_per_user: 0,
    default_auto_archive_duration: 1440,
    default_thread_rate_limit_per_user: 0,
    available_tags: (channel.availableTags ?? []).map((t) => ({ id: t.id, name: t.name, moderated: t.moderated, emoji_id: null, emoji_name: null })),
    default_reaction_emoji: null,
    default_sort_order: null,
    default_forum_layout: 0,
    // REQUIRE_TAG is 1 << 4.
    flags: (channel.requireTag ? 1 << 4 : 0) as ChannelFlags,
  } as APIChannel;
}

function toApiThread(channel: StoredChannel, thread: StoredThread): APIChannel {
  return {
    id: channel.id,
    guild_id: channel.guildId ?? undefined,
    type: ChannelTypes.publicThread,
    name: channel.name ?? '',
    parent_id: channel.parentId,
    owner_id: thread.ownerId,
    last_message_id: channel.lastMessageId,
    rate_limit_per_user: 0,
    message_count: 0,
    member_count: 1,
    total_message_sent: 0,
    applied_tags: [...thread.appliedTags],
    flags: 0 as ChannelFlags,
    thread_metadata: {
      archived: thread.archived,
      auto_archive_duration: 1440,
      archive_timestamp: new Date(thread.archiveTimestamp).toISOString(),
      locked: false,
    },
  } as APIChannel;
}

export function attachmentUrl(origin: string, channelId: string, attachment: StoredAttachment): string {
  return `${origin}/attachments/${channelId}/${attachment.id}/${encodeURIComponent(attachment.filename)}`;
}

function toApiAttachment(context: ApiObjectContext, channelId: string, attachment: StoredAttachment): APIAttachment {
  const url = attachmentUrl(context.origin, channelId, attachment);
  return {
    id: attachment.id,
    filename: attachment.filename,
    size: attachment.data.length,
    url,
    proxy_url: url,
    content_type: attachment.contentType,
    ...(attachment.description !== null ? { description: attachment.description } : {}),
  };
}

function toApiReactions(state: FakeDiscordState, message: StoredMessage): APIReaction[] {
  return [...message.reactions.values()].map(({ emoji, users }) => ({
    count: users.size,
    count_details: { burst: 0, normal: users.size },
    me: users.has(state.bot.id),
    me_burst: false,
    emoji: { id: emoji.id, name: emoji.name, ...(emoji.animated ? { animated: true } : {}) },
    burst_colors: [],
  }));
}

/**
 * A message as REST returns it. Gateway dispatches add `guild_id` (and `member`) on top;
 * REST responses do not carry them.
 */
export function toApiMessage(context: ApiObjectContext, message: StoredMessage): APIMessage {
  const { state } = context;
  const author = state.user(message.authorId);
  const interaction = message.interaction;
  const interactionUser = interaction === null ? null : toApiUser(state.user(interaction.userId));
  return {
    id: message.id,
    channel_id: message.channelId,
    author: toApiUser(author),
    content: message.content,
    timestamp: new Date(message.createdAt).toISOString(),
    edited_timestamp: message.editedAt === null ? null : new Date(message.editedAt).toISOString(),
    tts: false,
    mention_everyone: false,
    mentions: [],
    mention_roles: [],
    attachments: message.attachments.map((a) => toApiAttachment(context, message.channelId, a)),
    embeds: message.embeds.map((e) => ({ type: 'rich', ...(e as APIEmbed) }) as APIEmbed),
    ...(message.reactions.size > 0 ? { reactions: toApiReactions(state, message) } : {}),
    ...(message.nonce !== null ? { nonce: message.nonce } : {}),
    pinned: false,
    type: message.type,
    flags: message.flags,
    components: message.components as APIMessageTopLevelComponent[],
    ...(message.webhookId !== null ? { webhook_id: message.webhookId, application_id: state.applicationId } : {}),
    ...(interaction !== null && interactionUser !== null
      ? {
          interaction_metadata: {
            id: interaction.id,
            type: interaction.type,
            user: interactionUser,
            authorizing_integration_owners: message.guildId === null ? {} : { '0': message.guildId },
          } as APIMessage['interaction_metadata'],
          // Deprecated by Discord but still sent, and still read by discord.js.
          interaction: { id: interaction.id, type: interaction.type, name: interaction.name ?? '', user: interactionUser },
        }
      : {}),
  };
}

export function toApiCommand(state: FakeDiscordState, command: StoredCommand): APIApplicationCommand {
  const body = command.body;
  return {
    ...(body as Partial<APIApplicationCommand>),
    id: command.id,
    application_id: state.applicationId,
    version: command.version,
    type: (body.type as APIApplicationCommand['type'] | undefined) ?? 1,
    name: String(body.name),
    name_localizations: (body.name_localizations as Record<string, string> | undefined) ?? null,
    description: typeof body.description === 'string' ? body.description : '',
    description_localizations: (body.description_localizations as Record<string, string> | undefined) ?? null,
    default_member_permissions: (body.default_member_permissions as string | undefined) ?? null,
    nsfw: body.nsfw === true,
    ...(command.guildId !== null ? { guild_id: command.guildId } : {}),
  } as APIApplicationCommand;
}

/** The GUILD_CREATE payload: the whole guild, as Discord sends it right after READY. */
export function toGuildCreate(state: FakeDiscordState, guildId: string): GatewayGuildCreateDispatchData {
  const guild = state.guild(guildId);
  const members = state.membersOf(guildId);
  return {
    id: guild.id,
    name: guild.name,
    icon: null,
    splash: null,
    discovery_splash: null,
    owner_id: guild.ownerId,
    region: 'deprecated',
    afk_channel_id: null,
    afk_timeout: 300,
    widget_enabled: false,
    widget_channel_id: null,
    verification_level: 0,
    default_message_notifications: 1,
    explicit_content_filter: 0,
    roles: state.rolesOf(guildId).map(toApiRole),
    emojis: [],
    features: [],
    mfa_level: 0,
    application_id: null,
    system_channel_id: guild.systemChannelId,
    system_channel_flags: 0 as GuildSystemChannelFlags,
    rules_channel_id: null,
    max_members: 500000,
    vanity_url_code: null,
    description: null,
    banner: null,
    premium_tier: 0,
    premium_subscription_count: 0,
    preferred_locale: 'en-US' as GatewayGuildCreateDispatchData['preferred_locale'],
    public_updates_channel_id: null,
    max_video_channel_users: 25,
    max_stage_video_channel_users: 50,
    nsfw_level: 0,
    stickers: [],
    premium_progress_bar_enabled: false,
    hub_type: null,
    safety_alerts_channel_id: null,
    incidents_data: null,
    // GUILD_CREATE extras:
    joined_at: guild.joinedAt,
    large: false,
    unavailable: false,
    member_count: members.length,
    voice_states: [],
    members: members.map((m) => toApiMember(state, m)),
    channels: state.channelsOf(guildId).map((c) => toApiChannel(state, c)) as GatewayGuildCreateDispatchData['channels'],
    // Active threads the bot can see, as Discord lists them in GUILD_CREATE.
    threads: [...state.channels.values()].filter((c) => c.guildId === guildId && c.thread && !c.thread.archived).map((c) => toApiChannel(state, c)) as GatewayGuildCreateDispatchData['threads'],
    presences: [],
    stage_instances: [],
    guild_scheduled_events: [],
    soundboard_sounds: [],
  };
}
