import { ChannelFlags, DiscordAPIError, PermissionsBitField, RESTJSONErrorCodes, type Client, type ForumChannel, type Message, type ThreadChannel } from 'discord.js';
import type { MessagePapers } from '../core/bookmarks.js';
import { chooseForumTags, appliedTagIds, FORUM_LIMITS, type ForumTagInfo } from '../core/forum-tags.js';
import type { Clock } from '../core/search-sessions.js';
import type { PendingPost } from '../core/topic-delivery-port.js';
import type { PostedPapers, PostRecord } from '../core/topic-posts.js';
import type { Topic } from '../core/topics.js';
import type { Logger } from '../logger.js';
import { describeError as describe, findDigest } from './posted-lookup.js';
import { BOOKMARK_EMOJI } from './reactions.js';
import { renderForumDigestName, renderForumPostName } from './render/forum-post.js';
import type { RenderedMessage } from './render/limits.js';
import { renderTopicDigest, renderTopicPost } from './render/topic-messages.js';

/**
 * Posting a topic's papers into a forum channel: each paper its own post (a thread named after
 * the paper, the card as its starter message, 🔖 on it, tagged with the forum's matching tags);
 * the digest one post.
 *
 * Exactly once without a nonce. Discord deduplicates messages by nonce but not thread creation,
 * so the outbox record carries an intent instead: just before a post is created, its pending
 * record is stamped `attemptedAt` with the post's name. A pending record without the stamp was
 * never tried and is created at once. A stamped one may have been created by an attempt that
 * died before recording it (a crash, a lost answer, a storage error): the forum's threads are
 * looked up first (the guild's active threads and the forum's latest archived ones), and a post
 * of the bot's with that name whose starter message carries the paper's footer (or, for a digest,
 * its title and every one of its papers' links) is taken as the post, recorded `sent`, and not created again.
 */

/** Archived posts read back for that lookup (one request; a post archives after a day without activity). */
export const ARCHIVED_LOOKBACK = 50;

export type ForumDeliveryDeps = {
  client: Client;
  posted: PostedPapers;
  messages: MessagePapers;
  clock: Clock;
};

export type CardSent = (channelId: string, entry: PendingPost, card: RenderedMessage, messageId: string) => Promise<void>;

export function createForumPoster(deps: ForumDeliveryDeps & { markCardSent: CardSent }) {
  const { client, posted, clock } = deps;

  /** The bot's posts in the forum, read once per delivery and only when some record needs them. */
  function threadLister(forum: ForumChannel) {
    let threads: Promise<ThreadChannel[]> | undefined;
    return () =>
      (threads ??= (async () => {
        const me = client.user?.id;
        const active = await forum.threads.fetchActive(false);
        const archived = await forum.threads.fetchArchived({ type: 'public', limit: ARCHIVED_LOOKBACK }, false);
        return [...active.threads.values(), ...archived.threads.values()].filter((t) => t.parentId === forum.id && t.ownerId === me);
      })());
  }

  /** A post of ours with this name whose starter message passes `isOurs`. */
  async function findPost(list: () => Promise<ThreadChannel[]>, name: string, isOurs: (starter: Message) => boolean): Promise<ThreadChannel | undefined> {
    for (const thread of await list()) {
      if (thread.name !== name) continue;
      try {
        const starter = await thread.fetchStarterMessage({ cache: false });
        if (starter && isOurs(starter)) return thread;
      } catch (error) {
        // A moderator deleted the starter message: the post is there all the same.
        if (error instanceof DiscordAPIError && error.code === RESTJSONErrorCodes.UnknownMessage) return thread;
        throw error;
      }
    }
    return undefined;
  }

  /** Stamp the records before the post is created: from now on a retry looks for the post first. */
  async function recordAttempt(forum: ForumChannel, entries: readonly PendingPost[], name: string): Promise<PendingPost[]> {
    const at = clock.now();
    const stamped = entries.map(({ paper, record }) => ({ paper, record: { ...record, attemptedAt: at, threadName: name } }));
    await posted.setMany(
      forum.id,
      stamped.map(({ paper, record }) => ({ paperId: paper.id, record })),
    );
    return stamped;
  }

  /** The forum's tags for a paper, creating missing category tags first when the topic asks and the bot may. */
  async function tagsFor(forum: ForumChannel, topic: Topic, paper: PendingPost['paper'], log: Logger): Promise<string[]> {
    const me = client.user;
    const permissions = me ? forum.permissionsFor(me) : null;
    const canApplyModerated = permissions?.has(PermissionsBitField.Flags.ManageThreads) ?? false;
    const available = (): ForumTagInfo[] => forum.availableTags.map((t) => ({ id: t.id, name: t.name, moderated: t.moderated }));
    const choice = chooseForumTags(available(), paper, {
      createMissing: topic.createTags === true && (permissions?.has(PermissionsBitField.Flags.ManageChannels) ?? false),
      canApplyModerated,
    });
    if (choice.create.length === 0) return choice.apply;
    try {
      await forum.setAvailableTags([...forum.availableTags, ...choice.create.map((name) => ({ name }))]);
      log.info({ paperId: paper.id, created: choice.create }, 'created forum tags');
    } catch (error) {
      // The post matters more than its tags: it goes out with the tags that exist.
      log.warn({ paperId: paper.id, err: describe(error) }, 'could not create forum tags');
    }
    return appliedTagIds(available(), paper, canApplyModerated);
  }

  async function sendCard(forum: ForumChannel, topic: Topic, entry: PendingPost, log: Logger, list = threadLister(forum)): Promise<void> {
    const card = renderTopicPost(entry.paper, topic);
    const footer = card.embeds?.[0]?.footer?.text;
    const name = entry.record.threadName ?? renderForumPostName(entry.paper);
    const found =
      entry.record.attemptedAt !== undefined ? await findPost(list, name, (m) => footer !== undefined && m.embeds[0]?.footer?.text === footer) : undefined;
    if (found) {
      await deps.markCardSent(forum.id, entry, card, found.id);
      log.info({ paperId: entry.paper.id, threadId: found.id }, 'pending forum post was already in the forum; marked sent, not posted again');
      await addBookmark(found, entry.paper.id, log);
      return;
    }
    const appliedTags = await tagsFor(forum, topic, entry.paper, log);
    assertTagged(forum, appliedTags);
    const [attempted] = await recordAttempt(forum, [entry], name);
    const thread = await forum.threads.create({ name, message: card, appliedTags });
    // The starter message of a forum post has the thread's id.
    await deps.markCardSent(forum.id, attempted!, card, thread.id);
    await addBookmark(thread, entry.paper.id, log);
  }

  async function sendDigest(forum: ForumChannel, topic: Topic, entries: PendingPost[], log: Logger, list = threadLister(forum)): Promise<string> {
    const papers = entries.map((e) => e.paper);
    const body = renderTopicDigest(papers, topic);
    const first = entries[0]!.record;
    const name = first.threadName ?? renderForumDigestName(papers.length, topic, clock.now());
    let threadId: string;
    let sending = entries;
    // Every paper's link, not the title alone: another digest of as many papers has the same title.
    const found = first.attemptedAt !== undefined ? await findPost(list, name, (m) => findDigest([m], body, papers) !== undefined) : undefined;
    if (found) {
      log.info({ papers: entries.length, threadId: found.id }, 'pending forum digest was already in the forum; marked sent, not posted again');
      threadId = found.id;
    } else {
      // The digest carries the tags its papers would, as far as they go (no new ones for a list).
      const canApplyModerated = (client.user && forum.permissionsFor(client.user)?.has(PermissionsBitField.Flags.ManageThreads)) ?? false;
      const available = forum.availableTags.map((t) => ({ id: t.id, name: t.name, moderated: t.moderated }));
      const appliedTags = [...new Set(papers.flatMap((p) => appliedTagIds(available, p, canApplyModerated)))].slice(0, FORUM_LIMITS.appliedTags);
      assertTagged(forum, appliedTags);
      sending = await recordAttempt(forum, entries, name);
      threadId = (await forum.threads.create({ name, message: body, appliedTags })).id;
    }
    const at = clock.now();
    await posted.setMany(
      forum.id,
      sending.map(({ paper, record }) => ({ paperId: paper.id, record: { ...record, state: 'sent' as const, messageId: threadId, digest: true, at } })),
    );
    return threadId;
  }

  /** Edit a post's card (its starter message, in the thread of the same id); false when the post is gone. */
  async function editCard(forum: ForumChannel, record: PostRecord & { messageId: string }, card: RenderedMessage): Promise<boolean> {
    let thread: ThreadChannel | null;
    try {
      thread = forum.threads.cache.get(record.messageId) ?? (await forum.threads.fetch(record.messageId));
    } catch (error) {
      // A deleted post answers Unknown Channel: nothing to update (and no reason to pause the topic).
      if (error instanceof DiscordAPIError && error.code === RESTJSONErrorCodes.UnknownChannel) return false;
      throw error;
    }
    if (!thread) return false;
    try {
      await thread.messages.edit(record.messageId, { embeds: card.embeds ?? [], components: card.components ?? [], allowedMentions: { parse: [] } });
    } catch (error) {
      if (error instanceof DiscordAPIError && error.code === RESTJSONErrorCodes.UnknownMessage) return false;
      throw error;
    }
    return true;
  }

  async function addBookmark(thread: ThreadChannel, paperId: string, log: Logger): Promise<void> {
    try {
      // Reacting again with the bot's own emoji is a no-op on Discord, so a retry needs no check.
      await thread.messages.react(thread.id, BOOKMARK_EMOJI);
    } catch (error) {
      log.warn({ paperId, messageId: thread.id, err: describe(error) }, 'could not add the bookmark reaction');
    }
  }

  return { sendCard, sendDigest, editCard, threadLister };
}

/**
 * The forum requires a tag on every post (its REQUIRE_TAG flag) and none of its tags fits:
 * Discord would refuse the post (40067). It stays pending, and goes out once the forum has a
 * fitting tag (an admin adds one, or create_tags does when it has room).
 */
export class TagRequired extends Error {
  override name = 'TagRequired';
}

function assertTagged(forum: ForumChannel, appliedTags: readonly string[]): void {
  if (appliedTags.length === 0 && forum.flags.has(ChannelFlags.RequireTag)) throw new TagRequired(`#${forum.name} requires a tag and none of its tags fits`);
}
