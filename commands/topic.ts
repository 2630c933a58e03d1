import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  ChannelFlags,
  ChannelType,
  InteractionContextType,
  MessageFlags,
  PermissionFlagsBits,
  type AutocompleteInteraction,
  type ChatInputCommandInteraction,
  type Guild,
  type MessageComponentInteraction,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
  type Role,
} from 'discord.js';
import { UserFacingError } from '../src/core/errors.js';
import { singlePaperId } from '../src/core/paper-id.js';
import { explainTopicPaper, type ForumFacts } from '../src/core/topic-why.js';
import { applyTopicEdit, buildNewTopic, pauseTopic, resumeTopic, type TopicChanges } from '../src/core/topic-admin.js';
import { BACKFILL, RECENT_DAYS } from '../src/core/topic-posts.js';
import { MAX_PER_RUN_LIMIT, TOPIC_NAME_MAX, type Topic } from '../src/core/topics.js';
import type { BotContext, Command, ComponentHandler } from '../src/discord/bot-context.js';
import { finalizeChoices } from '../src/discord/render/limits.js';
import { renderNotice } from '../src/discord/render/notices.js';
import { renderTopicWhy } from '../src/discord/render/topic-why.js';
import { safeText } from '../src/discord/render/text.js';
import {
  renderMatchCountNote,
  renderRunReport,
  renderTopicList,
  renderTopicPreview,
  renderTopicSummary,
  TOPIC_LIST_PAGE_SIZE,
} from '../src/discord/render/topic-views.js';
import {
  assertCanPostIn,
  assertUsableTopicRole,
  botMember,
  botRoleProblem,
  channelLabel,
  extraPermissionsNote,
  roleLabel,
} from '../src/discord/topic-access.js';

/**
 * /topic: bind a saved query to a channel; the scheduler posts each new matching paper there once.
 * For admins: `default_member_permissions` asks for Manage Channels, but Discord applies that to
 * the whole command and server admins can override it per role or channel, so `execute` checks
 * the member's permissions again. Every answer is ephemeral.
 */

const nameOption = {
  type: ApplicationCommandOptionType.String,
  name: 'name',
  description: 'The topic (start typing its name)',
  required: true,
  autocomplete: true,
  max_length: TOPIC_NAME_MAX,
} as const;

const maxPerRunOption = {
  type: ApplicationCommandOptionType.Integer,
  name: 'max_per_run',
  description: `Cards per run, 1–${MAX_PER_RUN_LIMIT} (default 5); the rest go to a digest`,
  min_value: 1,
  max_value: MAX_PER_RUN_LIMIT,
} as const;

const digestOption = {
  type: ApplicationCommandOptionType.Boolean,
  name: 'digest',
  description: 'Put papers over max_per_run into one digest message (default true); false: they wait',
} as const;

const createTagsOption = {
  type: ApplicationCommandOptionType.Boolean,
  name: 'create_tags',
  description: 'Forums: add a tag for each paper category the forum lacks (needs my Manage Channels; max 20 tags)',
} as const;

const data = {
  type: ApplicationCommandType.ChatInput,
  name: 'topic',
  description: 'Topic channels: new papers matching a query, posted on a schedule',
  // Manage Channels, as Discord wants it: the bitfield as a decimal string.
  default_member_permissions: String(PermissionFlagsBits.ManageChannels),
  contexts: [InteractionContextType.Guild],
  options: [
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'add',
      description: 'Post new papers matching a query into a channel',
      options: [
        { type: ApplicationCommandOptionType.String, name: 'name', description: 'A short name, e.g. diffusion', required: true, max_length: TOPIC_NAME_MAX },
        {
          type: ApplicationCommandOptionType.String,
          name: 'query',
          description: 'Search syntax, e.g. diffusion cat:cs.CV or "reward model" author:rafailov',
          required: true,
          max_length: 300,
        },
        {
          type: ApplicationCommandOptionType.Channel,
          name: 'channel',
          description: 'Where the papers are posted (text, announcement or forum channel: a post per paper)',
          required: true,
          channel_types: [ChannelType.GuildText, ChannelType.GuildAnnouncement, ChannelType.GuildForum],
        },
        { type: ApplicationCommandOptionType.Role, name: 'role', description: 'Role pinged by each post; members opt in with /follow' },
        maxPerRunOption,
        digestOption,
        createTagsOption,
      ],
    },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'edit',
      description: 'Change a topic (a new query or channel starts it afresh)',
      options: [
        nameOption,
        { type: ApplicationCommandOptionType.String, name: 'query', description: 'New query', max_length: 300 },
        {
          type: ApplicationCommandOptionType.Channel,
          name: 'channel',
          description: 'New channel',
          channel_types: [ChannelType.GuildText, ChannelType.GuildAnnouncement, ChannelType.GuildForum],
        },
        { type: ApplicationCommandOptionType.Role, name: 'role', description: 'New role to ping' },
        { type: ApplicationCommandOptionType.Boolean, name: 'remove_role', description: 'Stop pinging a role' },
        maxPerRunOption,
        digestOption,
        createTagsOption,
      ],
    },
    { type: ApplicationCommandOptionType.Subcommand, name: 'remove', description: 'Delete a topic (its posts stay)', options: [nameOption] },
    { type: ApplicationCommandOptionType.Subcommand, name: 'list', description: 'Every topic of this server and its state' },
    { type: ApplicationCommandOptionType.Subcommand, name: 'preview', description: 'What a run would post now (nothing is sent)', options: [nameOption] },
    { type: ApplicationCommandOptionType.Subcommand, name: 'pause', description: 'Stop posting for a topic', options: [nameOption] },
    { type: ApplicationCommandOptionType.Subcommand, name: 'resume', description: 'Start posting again (checks the permissions first)', options: [nameOption] },
    { type: ApplicationCommandOptionType.Subcommand, name: 'refresh', description: 'Fetch new papers and post them now instead of waiting' },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'why',
      description: 'Why a paper was or was not posted by a topic',
      options: [
        { type: ApplicationCommandOptionType.String, name: 'id', description: 'arXiv id or paper link, e.g. 2405.17399', required: true, max_length: 200 },
        { ...nameOption, name: 'topic', description: 'The topic (default: every topic of this server)', required: false },
      ],
    },
  ],
} satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

/** The member's permissions from their roles (and ownership), without any channel's overwrites. */
function hasServerWide(
  interaction: ChatInputCommandInteraction | AutocompleteInteraction | MessageComponentInteraction,
  permission: bigint,
): boolean {
  return interaction.inCachedGuild() && interaction.member.permissions.has(permission);
}

const NOT_IN_SERVER = new UserFacingError('Topics belong to a server: use this command in one where Paperboy is.');

async function execute(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
  if (!interaction.inCachedGuild()) throw NOT_IN_SERVER;
  // Discord hides the command from members without Manage Channels, but a server's integration
  // settings can grant it to anyone: the gate that counts is this one. Server-wide permissions
  // (roles), not interaction.memberPermissions: those include the overwrites of the channel the
  // command runs in, and Manage Channels on one channel must not let anyone edit every topic.
  if (!hasServerWide(interaction, PermissionFlagsBits.ManageChannels)) {
    throw new UserFacingError('Only members with **Manage Channels** can change topics.', 'Use /follow to get pinged for a topic’s new papers.');
  }
  const { guild } = interaction;
  const reply = (message: ReturnType<typeof renderNotice>) => interaction.reply({ ...message, flags: MessageFlags.Ephemeral });

  switch (interaction.options.getSubcommand()) {
    case 'add': {
      const role = interaction.options.getRole('role');
      const existing = await ctx.topics.list(guild.id);
      const topic = buildNewTopic(
        {
          guildId: guild.id,
          name: interaction.options.getString('name', true),
          query: interaction.options.getString('query', true),
          channelId: interaction.options.getChannel('channel', true).id,
          roleId: role?.id,
          maxPerRun: interaction.options.getInteger('max_per_run') ?? undefined,
          digest: interaction.options.getBoolean('digest') ?? undefined,
          createTags: interaction.options.getBoolean('create_tags') ?? undefined,
          createdBy: interaction.user.id,
        },
        existing,
        ctx.clock.now(),
      );
      const notes = await checkDiscordSide(interaction.guild, topic, role, interaction.member);
      notes.unshift(await recentMatchNote(ctx, topic.query));
      // Another /topic add may have taken the name while the checks ran.
      buildNewTopic(topic, await ctx.topics.list(guild.id), topic.createdAt);
      await ctx.topics.save(topic);
      ctx.logger.info({ guildId: guild.id, topic: topic.name, userId: interaction.user.id }, 'topic added');
      await reply(
        renderTopicSummary('Topic added', topic, [
          `The first run posts at most ${BACKFILL.max} recent matching papers (first seen in the last ${BACKFILL.hours} h); after that every new match, at most ${topic.maxPerRun} as cards per run.`,
          ...notes,
        ]),
      );
      return;
    }
    case 'edit': {
      const name = interaction.options.getString('name', true);
      const role = interaction.options.getRole('role');
      const removeRole = interaction.options.getBoolean('remove_role') ?? false;
      if (role && removeRole) throw new UserFacingError('Give either role or remove_role:true, not both.');
      const changes: TopicChanges = {
        query: interaction.options.getString('query') ?? undefined,
        channelId: interaction.options.getChannel('channel')?.id,
        roleId: role ? role.id : removeRole ? null : undefined,
        maxPerRun: interaction.options.getInteger('max_per_run') ?? undefined,
        digest: interaction.options.getBoolean('digest') ?? undefined,
        createTags: interaction.options.getBoolean('create_tags') ?? undefined,
      };
      const { topic, changed } = applyTopicEdit(await findTopic(ctx, guild.id, name), changes);
      const notes = await checkDiscordSide(guild, topic, changed.includes('roleId') ? role : null, interaction.member, {
        channel: changed.includes('channelId'),
      });
      // Counted before saving, as for /topic add.
      const countNote = changed.includes('query') ? await recentMatchNote(ctx, topic.query) : undefined;
      // Applied to the topic as stored at that moment, inside the topics queue: a run that
      // finished meanwhile keeps its lastPostAt, and a run planning for the old query cannot
      // write its `since` over the new one (the runner checks the version it planned for).
      const saved = await updateTopic(ctx, guild.id, name, (current) => applyTopicEdit(current, changes).topic);
      ctx.logger.info({ guildId: guild.id, topic: saved.name, changed, userId: interaction.user.id }, 'topic edited');
      if (changed.includes('query') || changed.includes('channelId')) {
        notes.unshift(`With a new ${changed.includes('query') ? 'query' : 'channel'} the topic starts afresh: its next run posts at most ${BACKFILL.max} recent papers.`);
      }
      if (countNote) notes.push(countNote);
      if (saved.status === 'paused') notes.push('The topic is still paused: /topic resume restarts it.');
      await reply(renderTopicSummary('Topic updated', saved, notes));
      return;
    }
    case 'remove': {
      const topic = await findTopic(ctx, guild.id, interaction.options.getString('name', true));
      await ctx.topics.remove(guild.id, topic.name);
      ctx.logger.info({ guildId: guild.id, topic: topic.name, userId: interaction.user.id }, 'topic removed');
      await reply(
        renderNotice(
          `Removed the topic **${safeText(topic.name, 100)}**.`,
          topic.roleId ? 'Its posts stay in the channel, and its role stays in the server (delete it in Server Settings → Roles if nobody needs it).' : 'Its posts stay in the channel.',
        ),
      );
      return;
    }
    case 'list':
      await interaction.reply({ ...(await listPage(ctx, guild.id, 0)), flags: MessageFlags.Ephemeral });
      return;
    case 'preview': {
      const topic = await findTopic(ctx, guild.id, interaction.options.getString('name', true));
      // Reading the recently seen papers and the posted state can take a moment: acknowledge first.
      await interaction.deferReply({ flags: MessageFlags.Ephemeral });
      const plan = await ctx.topicRunner.preview(topic);
      await interaction.editReply(renderTopicPreview(topic, plan));
      return;
    }
    case 'pause': {
      const paused = await updateTopic(ctx, guild.id, interaction.options.getString('name', true), (current) => pauseTopic(current, interaction.user.username));
      ctx.logger.info({ guildId: guild.id, topic: paused.name, userId: interaction.user.id }, 'topic paused');
      await reply(renderTopicSummary('Topic paused', paused, [`Nothing is posted until /topic resume. On resume it catches up on the matches first seen in the last ${RECENT_DAYS} days (within max per run and the digest).`]));
      return;
    }
    case 'resume': {
      const name = interaction.options.getString('name', true);
      const topic = await findTopic(ctx, guild.id, name);
      resumeTopic(topic);
      // A topic is usually paused because Discord refused a post: check before restarting it.
      await assertCanPostIn(guild, topic.channelId);
      const notes: string[] = [];
      if (topic.roleId) {
        const role = guild.roles.cache.get(topic.roleId);
        const problem = role ? botRoleProblem(role, await botMember(guild)) : 'Its role no longer exists: set a new one with /topic edit role:.';
        if (problem) notes.push(`${problem} Posts still go out, but /follow cannot give the role.`);
        const extra = role && extraPermissionsNote(role);
        if (extra) notes.push(extra);
      }
      const resumed = await updateTopic(ctx, guild.id, name, resumeTopic);
      ctx.logger.info({ guildId: guild.id, topic: resumed.name, userId: interaction.user.id }, 'topic resumed');
      await reply(renderTopicSummary('Topic resumed', resumed, ['It posts again from the next run.', ...notes]));
      return;
    }
    case 'refresh': {
      const waitMs = ctx.topicRunner.refreshWaitMs();
      if (waitMs > 0) {
        await reply(renderNotice(`The last run ended moments ago; try again in ${Math.ceil(waitMs / 1000)} s.`, 'Runs also happen on their own every POLL_INTERVAL.'));
        return;
      }
      // A run fetches every source and posts into every channel: far longer than Discord's 3 s.
      await interaction.deferReply({ flags: MessageFlags.Ephemeral });
      const report = await ctx.topicRunner.runNow('refresh');
      if (!report) {
        await interaction.editReply(renderNotice('A run is already in progress.', 'Its posts arrive in a moment; /topic list shows the last post of each topic.'));
        return;
      }
      await interaction.editReply(renderRunReport({ ...report, topics: report.topics.filter((t) => t.guildId === guild.id) }));
      return;
    }
    case 'why': {
      const asked = interaction.options.getString('id', true);
      const id = singlePaperId(asked);
      if (!id) throw new UserFacingError(`"${safeText(asked, 80)}" is not an arXiv id or paper link.`, 'Use an id like 2405.17399 or a link to arxiv.org or huggingface.co/papers.');
      const named = interaction.options.getString('topic');
      const all = named ? [await findTopic(ctx, guild.id, named)] : await sortedTopics(ctx, guild.id);
      if (all.length === 0) throw new UserFacingError('This server has no topics yet.', 'Add one with /topic add.');
      // The runner's preview (a plan over the week's papers) may be needed per topic: acknowledge first.
      await interaction.deferReply({ flags: MessageFlags.Ephemeral });
      const topics = all.slice(0, WHY_TOPICS);
      const paper = await ctx.library.get(id);
      const verdicts = [];
      for (const topic of topics) {
        const facts = paper ? await ctx.topicRunner.paperFacts(topic, paper.id) : {};
        const forum = await forumFacts(guild, topic);
        const why = await explainTopicPaper({ topic, asked: asked.trim(), paper, facts, now: ctx.clock.now(), plan: () => ctx.topicRunner.preview(topic), ...(forum ? { forum } : {}) });
        verdicts.push({ topic, why });
      }
      const forums = new Set(topics.filter((t) => guild.channels.cache.get(t.channelId)?.type === ChannelType.GuildForum).map((t) => t.channelId));
      await interaction.editReply(renderTopicWhy({ guildId: guild.id, verdicts, more: all.length - topics.length, forums }));
      return;
    }
    default:
      throw new UserFacingError('This subcommand is not known to this version of Paperboy.');
  }
}

/** Topics /topic why answers for at once without a topic: one embed field each. */
const WHY_TOPICS = 10;

/** The topic's channel as /topic why needs it when it is a forum (see ForumFacts in topic-why.ts). */
async function forumFacts(guild: Guild, topic: Topic): Promise<ForumFacts | undefined> {
  const forum = guild.channels.cache.get(topic.channelId);
  if (forum?.type !== ChannelType.GuildForum) return undefined;
  const permissions = forum.permissionsFor(await botMember(guild));
  return {
    requiresTag: forum.flags.has(ChannelFlags.RequireTag),
    tags: forum.availableTags.map((t) => ({ id: t.id, name: t.name, moderated: t.moderated })),
    canApplyModerated: permissions?.has(PermissionFlagsBits.ManageThreads) ?? false,
    canCreateTags: permissions?.has(PermissionFlagsBits.ManageChannels) ?? false,
  };
}

/**
 * The line of /topic add and /topic edit saying how many papers of the last days the query
 * matches, counted as a run would before the topic is saved (see topic-match-count.ts).
 */
async function recentMatchNote(ctx: BotContext, query: string): Promise<string> {
  return renderMatchCountNote(await ctx.topicRunner.recentMatches(query));
}

/**
 * The Discord side of a topic about to be saved: the bot can post in its channel (when `channel`),
 * the new role (if any) is one it can manage. Returns notes for the answer (warnings that do
 * not block: an unpingable role, crossposting).
 */
async function checkDiscordSide(
  guild: Guild,
  topic: Topic,
  newRole: Role | null,
  member: Parameters<typeof assertUsableTopicRole>[2],
  check: { channel: boolean } = { channel: true },
): Promise<string[]> {
  const notes: string[] = [];
  const channel = check.channel ? await assertCanPostIn(guild, topic.channelId) : undefined;
  if (channel?.type === ChannelType.GuildAnnouncement) {
    notes.push(`${channelLabel(channel)} is an announcement channel: each post is published, so other servers can follow it.`);
  }
  const forum = channel ?? guild.channels.cache.get(topic.channelId);
  if (forum?.type === ChannelType.GuildForum && topic.createTags && !forum.permissionsFor(await botMember(guild))?.has(PermissionFlagsBits.ManageChannels)) {
    notes.push(`I lack **Manage Channels** in ${channelLabel(forum)}: posts get the forum's matching tags, but I cannot add missing ones.`);
  }
  if (forum?.type === ChannelType.GuildForum && forum.flags.has(ChannelFlags.RequireTag)) {
    notes.push(
      `${channelLabel(forum)} requires a tag on every post: a paper none of its tags fits (by category or keyword) waits until one does${topic.createTags ? '' : ' (create_tags:true adds category tags)'}.`,
    );
  }
  if (newRole) {
    await assertUsableTopicRole(guild, newRole, member);
    const me = await botMember(guild);
    const where = guild.channels.cache.get(topic.channelId);
    const canPingAnyRole = where?.permissionsFor(me)?.has(PermissionFlagsBits.MentionEveryone) ?? false;
    if (!newRole.mentionable && !canPingAnyRole) {
      notes.push(
        `${roleLabel(newRole)} is not mentionable and I lack **Mention @everyone, @here and All Roles**: posts will show the role without notifying anyone. Turn on “Allow anyone to @mention this role” in Server Settings → Roles.`,
      );
    }
  } else if (topic.roleId) {
    // The role is not being changed, but it may have gained permissions since it was set.
    const current = guild.roles.cache.get(topic.roleId);
    const note = current && extraPermissionsNote(current);
    if (note) notes.push(note);
  }
  return notes;
}

/** The guild's topic of that name (case-insensitive); a clear user error when there is none. */
export async function findTopic(ctx: BotContext, guildId: string, name: string): Promise<Topic> {
  const topic = await ctx.topics.get(guildId, name);
  if (!topic) {
    throw new UserFacingError(`There is no topic named "${safeText(name, TOPIC_NAME_MAX + 10)}" in this server.`, 'Pick one of the suggestions while typing, or see them all with /topic list.');
  }
  return topic;
}

/** Change a topic in one read-modify-write step; a clear user error when it is gone. */
async function updateTopic(ctx: BotContext, guildId: string, name: string, change: (current: Topic) => Topic): Promise<Topic> {
  const saved = await ctx.topics.update(guildId, name, change);
  if (!saved) return findTopic(ctx, guildId, name); // removed meanwhile: findTopic throws the usual answer
  return saved;
}

/** The guild's topics, ordered by name, for lists and autocomplete. */
export async function sortedTopics(ctx: BotContext, guildId: string): Promise<Topic[]> {
  return (await ctx.topics.list(guildId)).sort((a, b) => a.name.localeCompare(b.name, 'en', { sensitivity: 'base' }));
}

async function listPage(ctx: BotContext, guildId: string, offset: number) {
  const topics = await sortedTopics(ctx, guildId);
  return renderTopicList({ topics: topics.slice(offset, offset + TOPIC_LIST_PAGE_SIZE), offset, total: topics.length });
}

/** Topic names matching what was typed (substring, case-insensitive), at most 25. */
export function matchingChoices(topics: readonly Topic[], typed: string, label: (t: Topic) => string = (t) => t.name) {
  const needle = typed.trim().toLowerCase();
  const hits = needle ? topics.filter((t) => t.name.toLowerCase().includes(needle)) : topics;
  // Names that start with the typed text first.
  const ordered = [...hits.filter((t) => t.name.toLowerCase().startsWith(needle)), ...hits.filter((t) => !t.name.toLowerCase().startsWith(needle))];
  return finalizeChoices(ordered.map((t) => ({ name: label(t), value: t.name })));
}

async function autocomplete(interaction: AutocompleteInteraction, ctx: BotContext): Promise<void> {
  if (!interaction.inCachedGuild() || !hasServerWide(interaction, PermissionFlagsBits.ManageChannels)) {
    await interaction.respond([]);
    return;
  }
  const topics = await sortedTopics(ctx, interaction.guild.id);
  const label = (t: Topic) => `${t.name} — ${t.status === 'paused' ? 'paused' : 'active'} · ${t.query}`;
  await interaction.respond(matchingChoices(topics, String(interaction.options.getFocused()), label));
}

/** ◀ ▶ of /topic list: `topic:list:<offset>`. */
const topicComponents: ComponentHandler = {
  prefix: 'topic',
  async handle(interaction: MessageComponentInteraction, ctx: BotContext, [action, offsetText = '0']: string[]) {
    if (action !== 'list') throw new UserFacingError('This button belongs to an older version of Paperboy.', 'Run /topic list again.');
    if (!interaction.inCachedGuild()) throw NOT_IN_SERVER;
    if (!hasServerWide(interaction, PermissionFlagsBits.ManageChannels)) {
      throw new UserFacingError('Only members with **Manage Channels** can see the topic settings.');
    }
    await interaction.update(await listPage(ctx, interaction.guild.id, Math.max(0, Number.parseInt(offsetText, 10) || 0)));
  },
};

export const topicCommand: Command = { data, execute, autocomplete };
export const topicComponentHandlers: ComponentHandler[] = [topicComponents];
