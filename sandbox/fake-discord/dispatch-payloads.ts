/**
 * Gateway dispatch bodies the fake sends on behalf of people: INTERACTION_CREATE (slash
 * commands, autocomplete, components, modal submits) and MESSAGE_REACTION_ADD / _REMOVE.
 *
 * Shapes follow what Discord sends today. Details discord.js depends on:
 * - `entitlements` and `authorizing_integration_owners` must be present, or discord.js throws
 *   inside its INTERACTION_CREATE handler (an unhandled rejection, no event);
 * - `channel` is an object (`channel_id` alone is deprecated);
 * - `member.permissions` and `app_permissions` are decimal strings, computed from the state;
 * - user / channel / role option values are ids, with the objects under `data.resolved`.
 */
import type {
  APIApplicationCommandInteractionDataOption,
  APIInteractionDataResolved,
  APIMessageComponentInteractionData,
  GatewayMessageReactionAddDispatchData,
  GatewayMessageReactionRemoveDispatchData,
} from 'discord.js';
import { toApiChannel, toApiMember, toApiMessage, toApiRole, toApiUser, type ApiObjectContext } from './api-objects.js';
import type { ReactionEmoji, StoredCommand, StoredInteraction } from './state.js';

/** Interaction types (Discord's numbers). */
export const InteractionTypes = {
  ApplicationCommand: 2,
  MessageComponent: 3,
  ApplicationCommandAutocomplete: 4,
  ModalSubmit: 5,
} as const;

export const OptionTypes = {
  Subcommand: 1,
  SubcommandGroup: 2,
  String: 3,
  Integer: 4,
  Boolean: 5,
  User: 6,
  Channel: 7,
  Role: 8,
  Mentionable: 9,
  Number: 10,
  Attachment: 11,
} as const;

export type OptionValue = string | number | boolean;

export interface CommandOptionsSpec {
  readonly name: string;
  readonly subcommandGroup?: string;
  readonly subcommand?: string;
  /** Option name → value. User/channel/role options take an id. */
  readonly options?: Readonly<Record<string, OptionValue>>;
  /** Autocomplete only: the option being typed in and its partial text. */
  readonly focused?: { readonly name: string; readonly value: string };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The registered option definitions at the level the spec addresses (or [] when unknown). */
function optionDefinitions(command: StoredCommand | undefined, spec: CommandOptionsSpec): Record<string, unknown>[] {
  let level = command && Array.isArray(command.body.options) ? (command.body.options as unknown[]).filter(isRecord) : [];
  for (const name of [spec.subcommandGroup, spec.subcommand]) {
    if (name === undefined) continue;
    const parent = level.find((o) => o.name === name);
    level = parent && Array.isArray(parent.options) ? (parent.options as unknown[]).filter(isRecord) : [];
  }
  return level;
}

function inferType(value: OptionValue): number {
  if (typeof value === 'boolean') return OptionTypes.Boolean;
  if (typeof value === 'string') return OptionTypes.String;
  return Number.isInteger(value) ? OptionTypes.Integer : OptionTypes.Number;
}

/**
 * `data` of a chat-input (or autocomplete) interaction: option types come from the registered
 * command when there is one, else from the JS type of the value.
 */
export function buildCommandData(
  context: ApiObjectContext,
  command: StoredCommand | undefined,
  commandId: string,
  guildId: string | null,
  spec: CommandOptionsSpec,
): Record<string, unknown> {
  const { state } = context;
  const definitions = optionDefinitions(command, spec);
  const resolved: Required<Pick<APIInteractionDataResolved, 'users' | 'members' | 'roles' | 'channels'>> = {
    users: {},
    members: {},
    roles: {},
    channels: {},
  };
  let usedResolved = false;

  const leaf: Record<string, unknown>[] = Object.entries(spec.options ?? {}).map(([name, value]) => {
    const defined = definitions.find((d) => d.name === name);
    const type = typeof defined?.type === 'number' ? defined.type : inferType(value);
    if (type === OptionTypes.User || type === OptionTypes.Mentionable) {
      const user = state.users.get(String(value));
      if (user) {
        usedResolved = true;
        resolved.users[user.id] = toApiUser(user);
        const member = guildId === null ? undefined : state.member(guildId, user.id);
        if (member) {
          const { user: _user, deaf: _deaf, mute: _mute, ...rest } = toApiMember(state, member);
          resolved.members[user.id] = { ...rest, permissions: '0' };
        }
      }
    }
    if (type === OptionTypes.Role || type === OptionTypes.Mentionable) {
      const role = state.roles.get(String(value));
      if (role) {
        usedResolved = true;
        resolved.roles[role.id] = toApiRole(role);
      }
    }
    if (type === OptionTypes.Channel) {
      const channel = state.channels.get(String(value));
      if (channel) {
        usedResolved = true;
        resolved.channels[channel.id] = { ...toApiChannel(state, channel), permissions: '0' } as never;
      }
    }
    return { name, type, value };
  });

  if (spec.focused) {
    const defined = definitions.find((d) => d.name === spec.focused?.name);
    // Autocomplete sends what has been typed so far, as typed: a string even for number options.
    leaf.push({ name: spec.focused.name, type: typeof defined?.type === 'number' ? defined.type : OptionTypes.String, value: spec.focused.value, focused: true });
  }

  let options: unknown[] = leaf;
  if (spec.subcommand !== undefined) options = [{ name: spec.subcommand, type: OptionTypes.Subcommand, options }];
  if (spec.subcommandGroup !== undefined) options = [{ name: spec.subcommandGroup, type: OptionTypes.SubcommandGroup, options }];

  return {
    id: commandId,
    name: spec.name,
    type: 1,
    ...(command?.guildId ? { guild_id: command.guildId } : {}),
    options: options as APIApplicationCommandInteractionDataOption[],
    ...(usedResolved ? { resolved } : {}),
  };
}

export function buildComponentData(customId: string, componentType: number, values?: readonly string[]): APIMessageComponentInteractionData {
  return {
    custom_id: customId,
    component_type: componentType,
    ...(values !== undefined ? { values: [...values] } : {}),
  } as APIMessageComponentInteractionData;
}

export function buildModalSubmitData(customId: string, fields: Readonly<Record<string, string>>): Record<string, unknown> {
  return {
    custom_id: customId,
    components: Object.entries(fields).map(([fieldId, value]) => ({
      type: 1,
      components: [{ type: 4, id: 0, custom_id: fieldId, value }],
    })),
  };
}

/** The full INTERACTION_CREATE body for a stored interaction. */
export function buildInteractionPayload(context: ApiObjectContext, interaction: StoredInteraction, data: Record<string, unknown>): Record<string, unknown> {
  const { state } = context;
  const channel = state.channel(interaction.channelId);
  const user = state.user(interaction.userId);
  const userPermissions = state.permissionsIn(channel, user.id);
  const appPermissions = state.permissionsIn(channel, state.bot.id);
  const message = interaction.messageId === null ? undefined : state.messages.get(interaction.messageId);
  const guildId = interaction.guildId;
  const member = guildId === null ? undefined : state.member(guildId, user.id);
  if (guildId !== null && !member) throw new Error(`fake discord: ${user.username} is not a member of guild ${guildId}`);

  return {
    id: interaction.id,
    application_id: state.applicationId,
    type: interaction.type,
    data,
    ...(guildId !== null
      ? {
          guild_id: guildId,
          guild: { id: guildId, locale: 'en-US', features: [] },
          guild_locale: 'en-US',
          member: { ...toApiMember(state, member!), permissions: userPermissions.toString() },
        }
      : { user: toApiUser(user) }),
    channel: { ...toApiChannel(state, channel), permissions: userPermissions.toString() },
    channel_id: channel.id,
    token: interaction.token,
    version: 1,
    app_permissions: appPermissions.toString(),
    locale: 'en-US',
    entitlements: [],
    // Guild-installed app used in a guild: key "0" (GUILD_INSTALL) → guild id; in the bot's DM: {}.
    authorizing_integration_owners: guildId === null ? {} : { '0': guildId },
    // 0 guild, 1 bot DM.
    context: guildId === null ? 1 : 0,
    attachment_size_limit: 10 * 1024 * 1024,
    ...(message ? { message: { ...toApiMessage(context, message), ...(guildId !== null ? { guild_id: guildId } : {}) } } : {}),
  };
}

export interface ReactionSpec {
  readonly userId: string;
  readonly channelId: string;
  readonly messageId: string;
  readonly guildId: string | null;
  readonly emoji: ReactionEmoji;
  /** Author of the reacted message when the fake knows it. */
  readonly messageAuthorId?: string;
}

/** MESSAGE_REACTION_ADD as Discord sends it: ids only, plus the reacting member in guilds. */
export function buildReactionAdd(context: ApiObjectContext, spec: ReactionSpec): GatewayMessageReactionAddDispatchData {
  const member = spec.guildId === null ? undefined : context.state.member(spec.guildId, spec.userId);
  return {
    user_id: spec.userId,
    channel_id: spec.channelId,
    message_id: spec.messageId,
    ...(spec.guildId !== null ? { guild_id: spec.guildId } : {}),
    ...(member ? { member: toApiMember(context.state, member) } : {}),
    emoji: { id: spec.emoji.id, name: spec.emoji.name, ...(spec.emoji.animated ? { animated: true } : {}) },
    ...(spec.messageAuthorId !== undefined ? { message_author_id: spec.messageAuthorId } : {}),
    burst: false,
    burst_colors: [],
    type: 0,
  };
}

/** MESSAGE_REACTION_REMOVE: no member, no author: the bot learns only ids. */
export function buildReactionRemove(spec: ReactionSpec): GatewayMessageReactionRemoveDispatchData {
  return {
    user_id: spec.userId,
    channel_id: spec.channelId,
    message_id: spec.messageId,
    ...(spec.guildId !== null ? { guild_id: spec.guildId } : {}),
    emoji: { id: spec.emoji.id, name: spec.emoji.name, ...(spec.emoji.animated ? { animated: true } : {}) },
    burst: false,
    type: 0,
  };
}
