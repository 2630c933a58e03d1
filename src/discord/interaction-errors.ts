import { randomBytes } from 'node:crypto';
import {
  DiscordAPIError,
  type BaseInteraction,
  MessageFlags,
  PermissionsBitField,
  RESTJSONErrorCodes,
  type Interaction,
  type PermissionResolvable,
} from 'discord.js';
import { UserFacingError } from '../core/errors.js';
import type { Logger } from '../logger.js';
import { renderFailure, renderNotice } from './render/notices.js';
import { safeText } from './render/text.js';

/**
 * The one place that turns a failure into an answer. Expected user errors get their own message;
 * Discord API errors are sorted by code; anything else gets "Something went wrong (ref …)"
 * while the details, under the same reference, go to the log. Raw error text never reaches users.
 */

/** What the bot needs in a channel to post a paper card with its 🔖 affordance. */
export const CARD_PERMISSIONS = [
  PermissionsBitField.Flags.ViewChannel,
  PermissionsBitField.Flags.SendMessages,
  PermissionsBitField.Flags.EmbedLinks,
  PermissionsBitField.Flags.AddReactions,
  PermissionsBitField.Flags.ReadMessageHistory,
] as const;

/** What adding the 🔖 to a card needs (Read Message History to react at all, Add Reactions for a new emoji). */
export const REACTION_PERMISSIONS = [PermissionsBitField.Flags.AddReactions, PermissionsBitField.Flags.ReadMessageHistory] as const;

/**
 * What a member needs where they ask for a public answer (`public:true`, *Post in channel*): the
 * bot posts on their behalf, so it must not post where they could not post such a message
 * themselves. Cards and result lists are embeds, hence Embed Links; a thread asks for Send
 * Messages in Threads instead of Send Messages.
 */
export const PUBLIC_ANSWER_PERMISSIONS = {
  channel: [PermissionsBitField.Flags.ViewChannel, PermissionsBitField.Flags.SendMessages, PermissionsBitField.Flags.EmbedLinks],
  thread: [PermissionsBitField.Flags.ViewChannel, PermissionsBitField.Flags.SendMessagesInThreads, PermissionsBitField.Flags.EmbedLinks],
} as const;

/**
 * Names of the permissions the member lacks for a public answer here; empty when they have them.
 * `memberPermissions` is the interaction's: Discord computes it for the channel the interaction
 * came from, overwrites and timeouts included. Null outside a server, where nobody else reads.
 */
export function missingPublicAnswerPermissions(memberPermissions: Readonly<PermissionsBitField> | null, inThread: boolean): string[] {
  if (!memberPermissions) return [];
  return missingPermissionNames(memberPermissions, PUBLIC_ANSWER_PERMISSIONS[inThread ? 'thread' : 'channel']);
}

/** Why this interaction's member may not get a public answer where they are, or undefined when they may. */
export function publicAnswerRefusal(interaction: Pick<BaseInteraction, 'memberPermissions' | 'channel'>): { missing: string[]; where: string } | undefined {
  const missing = missingPublicAnswerPermissions(interaction.memberPermissions, interaction.channel?.isThread() ?? false);
  if (missing.length === 0) return undefined;
  const channel = interaction.channel;
  return { missing, where: channel && 'name' in channel && channel.name ? `#${safeText(channel.name, 100)}` : 'this channel' };
}

export function newReference(): string {
  return randomBytes(4).toString('hex');
}

/** Human names of the permissions from `needed` that `have` lacks ("Add Reactions, Embed Links"). */
export function missingPermissionNames(have: PermissionsBitField | null | undefined, needed: readonly PermissionResolvable[]): string[] {
  if (!have) return [];
  return have.missing([...needed]).map(humanPermissionName);
}

/** Human names of permissions, in Discord's order ("Add Reactions, View Channel"). */
export function permissionNames(permissions: readonly PermissionResolvable[]): string[] {
  return new PermissionsBitField([...permissions]).toArray().map(humanPermissionName);
}

function humanPermissionName(flag: string): string {
  return flag.replace(/([a-z])([A-Z])/g, '$1 $2');
}

export type ErrorAnswer = { kind: 'user' | 'discord' | 'late' | 'unexpected'; payload?: ReturnType<typeof renderNotice> };

/** Decide what to tell the user about `error` and log it at the right level. */
export function classifyError(error: unknown, interaction: Interaction, log: Logger): ErrorAnswer {
  if (error instanceof UserFacingError) {
    return { kind: 'user', payload: renderNotice(error.message, error.hint) };
  }
  if (error instanceof DiscordAPIError) {
    switch (error.code) {
      case RESTJSONErrorCodes.UnknownInteraction:
        // Answered after Discord's 3-second window (or twice): nobody is left to tell.
        log.warn({ err: error }, 'interaction expired before it was answered');
        return { kind: 'late' };
      case RESTJSONErrorCodes.MissingPermissions:
      case RESTJSONErrorCodes.MissingAccess: {
        const channel = interaction.channel && 'name' in interaction.channel ? `#${interaction.channel.name}` : 'this channel';
        const missing = missingPermissionNames(interaction.appPermissions, CARD_PERMISSIONS);
        log.warn({ code: error.code, missing }, 'missing permission');
        // Discord refused although the permissions sent with the interaction look complete (they
        // can be stale): name everything a card needs, so an admin knows what to check.
        const text =
          missing.length > 0
            ? `I can't do that in ${channel}: I'm missing **${missing.join(', ')}** there.`
            : `I can't do that in ${channel}: Discord says I'm missing a permission there. I need **${permissionNames(CARD_PERMISSIONS).join(', ')}**.`;
        return { kind: 'discord', payload: renderNotice(text, 'A server admin can grant it in the channel settings → Permissions.') };
      }
      case RESTJSONErrorCodes.UnknownChannel:
        return { kind: 'discord', payload: renderNotice('That channel no longer exists.') };
      case RESTJSONErrorCodes.UnknownMessage:
        return { kind: 'discord', payload: renderNotice('That message no longer exists.') };
      default:
        break;
    }
  }
  const reference = newReference();
  log.error({ err: error, reference }, 'interaction failed');
  return { kind: 'unexpected', payload: renderFailure(reference) };
}

/** Answer an interaction with an ephemeral notice, whatever state it is in (fresh, deferred, replied). */
export async function answerEphemeral(interaction: Interaction, payload: ReturnType<typeof renderNotice>): Promise<void> {
  if (interaction.isAutocomplete()) return;
  const message = { ...payload, flags: MessageFlags.Ephemeral as const };
  if (interaction.deferred && !interaction.replied) {
    await interaction.editReply(payload);
  } else if (interaction.replied) {
    await interaction.followUp(message);
  } else {
    await interaction.reply(message);
  }
}
