import type { Client, MessageReaction, PartialMessageReaction, PartialUser, User } from 'discord.js';
import type { BotContext } from './bot-context.js';

export const BOOKMARK_EMOJI = '🔖';

/**
 * 🔖 on a bot message that carries a paper saves it to the reacting user's bookmarks; removing
 * the reaction drops it. Reactions on messages the bot has not cached (everything posted before
 * a restart) arrive as partials, and discord.js never fetches them: the message id → paper id
 * map written when posting tells which paper it was, with no fetch at all.
 */
export function handleBookmarkReactions(client: Client, ctx: BotContext, track: (work: Promise<void>) => void): void {
  const on = (action: 'add' | 'remove') => (reaction: MessageReaction | PartialMessageReaction, user: User | PartialUser) => {
    // The bot's own 🔖 (the affordance it adds to every card) comes back as an event too.
    if (user.id === client.user?.id || user.bot) return;
    if (reaction.emoji.name !== BOOKMARK_EMOJI) return;
    track(apply(action, reaction.message.id, user.id, ctx));
  };
  client.on('messageReactionAdd', on('add'));
  client.on('messageReactionRemove', on('remove'));
}

async function apply(action: 'add' | 'remove', messageId: string, userId: string, ctx: BotContext): Promise<void> {
  const log = ctx.logger.child({ messageId, userId, reaction: action });
  try {
    const paperId = await ctx.messages.paperFor(messageId);
    if (!paperId) return; // not one of our paper messages
    const changed = action === 'add' ? await ctx.bookmarks.add(userId, paperId) : await ctx.bookmarks.remove(userId, paperId);
    log.info({ paperId, changed }, action === 'add' ? 'bookmark saved' : 'bookmark removed');
  } catch (error) {
    log.error({ err: error }, 'bookmark reaction failed');
  }
}
