import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  DiscordAPIError,
  InteractionContextType,
  MessageFlags,
  RESTJSONErrorCodes,
  type AutocompleteInteraction,
  type ChatInputCommandInteraction,
  type Guild,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
  type Role,
} from 'discord.js';
import { UserFacingError } from '../src/core/errors.js';
import { TOPIC_NAME_MAX, type Topic } from '../src/core/topics.js';
import type { BotContext, Command } from '../src/discord/bot-context.js';
import { renderNotice } from '../src/discord/render/notices.js';
import { safeText } from '../src/discord/render/text.js';
import { renderFollowList } from '../src/discord/render/topic-views.js';
import { botMember, botRoleProblem, channelLabel, hasExtraPermissions, outrankedModerators, permissionsBeyondEveryone, roleGrantFacts, roleLabel } from '../src/discord/topic-access.js';
import { findTopic, matchingChoices, sortedTopics } from './topic.js';

/**
 * /follow and /unfollow: members opt in to a topic's pings by taking its role. Open to everyone
 * (no default_member_permissions). Roles are given and taken over REST (PUT/DELETE
 * /guilds/…/members/…/roles/…), which needs Manage Roles but no Server Members intent.
 */

const data = {
  type: ApplicationCommandType.ChatInput,
  name: 'follow',
  description: 'Get pinged when a topic posts a new paper (no topic: list what you can follow)',
  contexts: [InteractionContextType.Guild],
  options: [
    { type: ApplicationCommandOptionType.String, name: 'topic', description: 'The topic (start typing its name)', autocomplete: true, max_length: TOPIC_NAME_MAX },
  ],
} satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

const unfollowData = {
  type: ApplicationCommandType.ChatInput,
  name: 'unfollow',
  description: 'Stop getting pinged for a topic',
  contexts: [InteractionContextType.Guild],
  options: [
    { type: ApplicationCommandOptionType.String, name: 'topic', description: 'A topic you follow', required: true, autocomplete: true, max_length: TOPIC_NAME_MAX },
  ],
} satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

const NOT_IN_SERVER = new UserFacingError('Topics belong to a server: use this command in one where Paperboy is.');

async function execute(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
  if (!interaction.inCachedGuild()) throw NOT_IN_SERVER;
  const { guild, member } = interaction;
  const name = interaction.options.getString('topic');
  if (!name) {
    const topics = await sortedTopics(ctx, guild.id);
    await interaction.reply({ ...renderFollowList(topics, new Set(member.roles.cache.keys())), flags: MessageFlags.Ephemeral });
    return;
  }
  const topic = await findTopic(ctx, guild.id, name);
  const role = await topicRole(guild, topic);
  const title = `**${safeText(topic.name, 100)}**`;
  if (member.roles.cache.has(role.id)) {
    await interaction.reply({ ...renderNotice(`You already follow ${title}.`, `/unfollow topic:${safeText(topic.name, 100)} stops the pings.`), flags: MessageFlags.Ephemeral });
    return;
  }
  const extra = permissionsBeyondEveryone(roleGrantFacts(role));
  if (hasExtraPermissions(extra) || outrankedModerators(role)) {
    // The role (or a channel's overwrite for it) changed after /topic checked it: never hand it out.
    // The member is told only that; which channels it opens may be secret, so that goes to the log.
    ctx.logger.warn(
      { guildId: guild.id, topic: topic.name, roleId: role.id, serverWide: extra.serverWide.toString(), channelIds: extra.channels.map((c) => c.id) },
      'topic role grants more than @everyone: not given out',
    );
    throw new UserFacingError(
      `Sorry, I can't give out the role of ${title} right now: it has changed and now does more than ping.`,
      'A server admin can fix it with /topic edit; nothing was changed for you.',
    );
  }
  await changeRole(guild, interaction.user.id, role, 'add', topic);
  ctx.logger.info({ guildId: guild.id, userId: interaction.user.id, topic: topic.name }, 'member followed a topic');
  const channel = guild.channels.cache.get(topic.channelId);
  await interaction.reply({
    ...renderNotice(
      `You now follow ${title}: its new papers${channel ? ` in ${channelLabel(channel)}` : ''} ping you (role ${roleLabel(role)}).`,
      `/unfollow topic:${safeText(topic.name, 100)} stops it.`,
    ),
    flags: MessageFlags.Ephemeral,
  });
}

async function executeUnfollow(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
  if (!interaction.inCachedGuild()) throw NOT_IN_SERVER;
  const { guild, member } = interaction;
  const topic = await findTopic(ctx, guild.id, interaction.options.getString('topic', true));
  const role = await topicRole(guild, topic);
  const title = `**${safeText(topic.name, 100)}**`;
  if (!member.roles.cache.has(role.id)) {
    await interaction.reply({ ...renderNotice(`You don't follow ${title}.`), flags: MessageFlags.Ephemeral });
    return;
  }
  await changeRole(guild, interaction.user.id, role, 'remove', topic);
  ctx.logger.info({ guildId: guild.id, userId: interaction.user.id, topic: topic.name }, 'member unfollowed a topic');
  await interaction.reply({ ...renderNotice(`You no longer follow ${title}: its posts won't ping you.`, `/follow topic:${safeText(topic.name, 100)} to follow it again.`), flags: MessageFlags.Ephemeral });
}

/** The topic's role, if the bot can give and take it; otherwise a user error saying why not. */
async function topicRole(guild: Guild, topic: Topic): Promise<Role> {
  const title = `**${safeText(topic.name, 100)}**`;
  if (!topic.roleId) {
    throw new UserFacingError(`${title} pings nobody: it has no role to follow.`, `Ask an admin to set a role (/topic edit name:${safeText(topic.name, 100)} role:).`);
  }
  const role = guild.roles.cache.get(topic.roleId) ?? (await guild.roles.fetch(topic.roleId).catch(() => null));
  if (!role) throw new UserFacingError(`The role of ${title} no longer exists.`, 'Ask an admin to set a new one with /topic edit role:.');
  const problem = botRoleProblem(role, await botMember(guild));
  if (problem) throw new UserFacingError(problem, 'Ask a server admin to fix it; then try again.');
  return role;
}

async function changeRole(guild: Guild, userId: string, role: Role, change: 'add' | 'remove', topic: Topic): Promise<void> {
  const options = { user: userId, role: role.id, reason: `${change === 'add' ? 'follows' : 'unfollows'} the topic ${topic.name} (/follow)` };
  try {
    if (change === 'add') await guild.members.addRole(options);
    else await guild.members.removeRole(options);
  } catch (error) {
    // The cache said yes but Discord said no (roles reordered a moment ago): name what matters here.
    if (error instanceof DiscordAPIError && (error.code === RESTJSONErrorCodes.MissingPermissions || error.code === RESTJSONErrorCodes.MissingAccess)) {
      throw new UserFacingError(
        `Discord did not let me ${change === 'add' ? 'give you' : 'take'} ${roleLabel(role)}.`,
        'I need Manage Roles, and my highest role must be above that role (Server Settings → Roles). Ask a server admin.',
      );
    }
    throw error;
  }
}

async function autocompleteTopics(interaction: AutocompleteInteraction, ctx: BotContext, only: 'followable' | 'followed'): Promise<void> {
  if (!interaction.inCachedGuild()) {
    await interaction.respond([]);
    return;
  }
  const has = (t: Topic) => t.roleId !== undefined && interaction.member.roles.cache.has(t.roleId);
  const topics = (await sortedTopics(ctx, interaction.guild.id)).filter((t) => t.roleId !== undefined && (only === 'followable' || has(t)));
  const label = (t: Topic) => `${t.name}${has(t) ? ' (following)' : ''} · ${t.query}`;
  await interaction.respond(matchingChoices(topics, String(interaction.options.getFocused()), label));
}

export const followCommand: Command = { data, execute, autocomplete: (i, ctx) => autocompleteTopics(i, ctx, 'followable') };
export const unfollowCommand: Command = { data: unfollowData, execute: executeUnfollow, autocomplete: (i, ctx) => autocompleteTopics(i, ctx, 'followed') };
