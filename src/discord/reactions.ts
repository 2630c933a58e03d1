import type { Client, MessageReaction, PartialMessageReaction, PartialUser, User } from 'discord.js';
import { createKeyedQueue } from '../core/serial-queue.js';
import type { BotContext } from './bot-context.js';

export const BOOKMARK_EMOJI = '🔖';

/**
 * 🔖 on a bot message that carries a paper saves it to the reacting user's bookmarks; removing
 * the reaction drops it, if that reaction is what saved it. Reactions on messages the bot has not cached (everything posted before
 * a restart) arrive as partials, and discord.js never fetches them: the message id → paper id
 * map written when posting tells which paper it was, with no fetch at all.
 */
/**
 * Retries, in ms before each further attempt. `unmapped`: a 🔖 can arrive before the message →
 * paper entry is written (Discord shows the card the moment it accepts it; the entry follows a
 * store write later), so an unknown message is looked up again for a few seconds. `storage`: a
 * failed store read or write (a locked database, a busy disk) is tried again with backoff.
 */
export const REACTION_RETRY = { unmappedMs: [100, 250, 500, 1000, 2000], storageMs: [200, 1000, 4000] } as const;

export function handleBookmarkReactions(client: Client, ctx: BotContext, track: (work: Promise<void>) => void): void {
  // One person's 🔖 on one message is applied in the order Discord sent it: an add that waits
  // out a storage error must not land after the remove that followed it.
  const inOrder = createKeyedQueue();
  const on = (action: 'add' | 'remove') => (reaction: MessageReaction | PartialMessageReaction, user: User | PartialUser) => {
    // The bot's own 🔖 (the affordance it adds to every card) comes back as an event too.
    if (user.id === client.user?.id || user.bot) return;
    if (reaction.emoji.name !== BOOKMARK_EMOJI) return;
    // A partial message has no author: it may be ours. A known author that is not the bot is not a card.
    const author = reaction.message.author?.id;
    const maybeOurs = author === undefined || author === client.user?.id;
    const messageId = reaction.message.id;
    track(inOrder(`${user.id}:${messageId}`, () => apply(action, messageId, user.id, ctx, maybeOurs)));
  };
  client.on('messageReactionAdd', on('add'));
  client.on('messageReactionRemove', on('remove'));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms).unref());

async function apply(action: 'add' | 'remove', messageId: string, userId: string, ctx: BotContext, maybeOurs: boolean): Promise<void> {
  const log = ctx.logger.child({ messageId, userId, reaction: action });
  const via = { messageId };
  for (let attempt = 0; ; attempt++) {
    try {
      let paperId = await ctx.messages.paperFor(messageId);
      for (const wait of maybeOurs ? REACTION_RETRY.unmappedMs : []) {
        if (paperId) break;
        await sleep(wait);
        paperId = await ctx.messages.paperFor(messageId);
      }
      if (!paperId) return; // not one of our paper messages
      const changed = action === 'add' ? await ctx.bookmarks.add(userId, paperId, via) : await ctx.bookmarks.remove(userId, paperId, via);
      log.info({ paperId, changed }, action === 'add' ? 'bookmark saved' : 'bookmark removed');
      return;
    } catch (error) {
      const wait = REACTION_RETRY.storageMs[attempt];
      if (wait === undefined) {
        log.error({ err: error, attempts: attempt + 1 }, 'bookmark reaction failed; the 🔖 is not saved');
        return;
      }
      log.warn({ err: error, attempt: attempt + 1, retryInMs: wait }, 'bookmark reaction failed; trying again');
      await sleep(wait);
    }
  }
}
