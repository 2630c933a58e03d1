import { createHash } from 'node:crypto';
import {
  ChannelType,
  DiscordAPIError,
  MessageFlags,
  PermissionsBitField,
  RESTJSONErrorCodes,
  Routes,
  type APIMessage,
  type Client,
  type ForumChannel,
  type GuildBasedChannel,
  type Message,
  type SendableChannels,
} from 'discord.js';
import type { MessagePapers } from '../core/bookmarks.js';
import type { Clock } from '../core/search-sessions.js';
import type { PostedPapers, PostRecord } from '../core/topic-posts.js';
import type { Topic } from '../core/topics.js';
import { CARD_PERMISSIONS, permissionNames } from './interaction-errors.js';
import { BOOKMARK_EMOJI } from './reactions.js';
import type { RenderedMessage } from './render/limits.js';
import { renderTopicDigest, renderTopicPausedNotice, renderTopicPost } from './render/topic-messages.js';
import type { Logger } from '../logger.js';
import { groupBy } from '../core/group-by.js';
import { createForumPoster, TagRequired } from './forum-delivery.js';
import { describeError as describe, findDigest } from './posted-lookup.js';
import {
  type DeliveryOptions,
  type DeliveryResult,
  type DeliveryStop,
  type DeliveryWork,
  type PendingPost,
  type TopicDelivery,
} from '../core/topic-delivery-port.js';

/**
 * Posting a topic's papers into its channel exactly once. The only part of the scheduler that
 * talks to Discord.
 *
 * The outbox: before anything is sent, every paper a run will post is recorded `pending` with a
 * deterministic nonce (the runner writes those records). Sending then goes pending → Discord →
 * `sent` with the message id. Whatever stops a run halfway (a crash, a restart, a 5xx, a storage
 * error after Discord accepted the message) leaves records `pending`, and the next run sends
 * them again with the SAME nonce and `enforce_nonce`: within Discord's nonce window (a few
 * minutes) Discord answers with the message it already created instead of creating a second.
 * Past that window (NONCE_TRUST_MS) the nonce proves nothing, so before resending an older record
 * the channel's latest messages are read back: a card or digest of ours that is already there is
 * marked `sent` instead of posted again. Only when that history cannot be read (no Read Message
 * History) is an old record resent blind; a paper is then posted twice at worst, never lost.
 *
 * Failures are sorted like MonitoRSS does: 403/404 on the channel (missing permissions, missing
 * access, unknown channel) will not fix themselves, so the topic pauses with a readable reason
 * and the server is told; anything else (5xx after discord.js's own retries, timeouts, network)
 * stops this topic for this run only and the pending records wait for the next one. Rate limits
 * are left to discord.js's queue, which reads Discord's headers and waits before sending.
 */

/**
 * How long after its `pending` record a resend can count on Discord's nonce dedupe. Discord keeps
 * an `enforce_nonce` for "a few minutes" (undocumented; about five); two minutes leaves room for
 * that and for clock skew between this host and Discord. Older records are looked up in the
 * channel's history before they are sent again.
 */
export const NONCE_TRUST_MS = 2 * 60_000;

/**
 * Latest messages read back for that lookup (one request; Discord's default page, at most 100).
 * Sends are one after another, so a post that did go out sits behind at most the rest of its
 * run's posts and whatever people wrote since.
 */
export const HISTORY_LOOKBACK = 50;

/**
 * What a card shows (its embeds and its buttons: the links are buttons), hashed: a changed hash
 * means the message is out of date. The content (a role ping) is left out: an edit never re-pings.
 */
export function cardHash(message: RenderedMessage): string {
  return digestOf(JSON.stringify([message.embeds ?? [], message.components ?? []])).slice(0, 16);
}

function digestOf(text: string): string {
  return createHash('sha256').update(text).digest('base64url');
}

export type TopicDeliveryDeps = {
  client: Client;
  posted: PostedPapers;
  messages: MessagePapers;
  logger: Logger;
  clock: Clock;
  /** Work that must not hold the run up (crossposts: Discord allows ~10 per hour per channel). */
  background?: (work: Promise<unknown>) => void;
};


/** Codes and statuses that mean the channel is gone or closed to the bot: pause, don't retry. */
const CHANNEL_CLOSED_CODES: ReadonlySet<number | string> = new Set([
  RESTJSONErrorCodes.UnknownChannel,
  RESTJSONErrorCodes.MissingAccess,
  RESTJSONErrorCodes.MissingPermissions,
]);

function closesChannel(error: unknown): error is DiscordAPIError {
  return error instanceof DiscordAPIError && (CHANNEL_CLOSED_CODES.has(error.code) || error.status === 403 || error.status === 404);
}

/** A 4xx about this one message (a payload Discord refused): retrying the same body cannot help. */
function refusesMessage(error: unknown): error is DiscordAPIError {
  return error instanceof DiscordAPIError && error.status >= 400 && error.status < 500 && error.status !== 429;
}

export function createTopicDelivery(deps: TopicDeliveryDeps): TopicDelivery {
  const { client, posted, messages, clock } = deps;
  const background = deps.background ?? ((work) => void work);

  async function resolveChannel(channelId: string): Promise<(SendableChannels & GuildBasedChannel) | ForumChannel> {
    // Cached from GUILD_CREATE normally; a fetch finds out why not (10003 gone, 50001 no access).
    const channel = client.channels.cache.get(channelId) ?? (await client.channels.fetch(channelId));
    if (channel?.type === ChannelType.GuildForum) return channel;
    if (!channel || !channel.isSendable() || channel.isDMBased()) {
      throw new ChannelUnusable(`${channelLabel(channel ?? undefined, channelId)} is not a channel I can post in`);
    }
    return channel;
  }

  /** "Missing Permissions in #papers (Send Messages, Embed Links)": what an admin has to fix. */
  function pauseReason(error: unknown, channelId: string): string {
    if (error instanceof ChannelUnusable) return error.message;
    const channel = client.channels.cache.get(channelId);
    const label = channelLabel(channel, channelId);
    if (!(error instanceof DiscordAPIError)) return `I could not post in ${label}`;
    if (error.code === RESTJSONErrorCodes.UnknownChannel || (error.status === 404 && !channel)) return `${label} no longer exists`;
    const missing = missingInChannel(channel);
    const what = missing.length > 0 ? missing.join(', ') : permissionNames(CARD_PERMISSIONS).join(', ');
    if (error.code === RESTJSONErrorCodes.MissingAccess) return `Missing Access to ${label} (${what})`;
    return `Missing Permissions in ${label} (${what})`;
  }

  /** From the cached overwrites and roles, which can lag behind Discord: a hint, not the verdict. */
  function missingInChannel(channel: unknown): string[] {
    const me = client.user;
    if (!me || !channel || typeof channel !== 'object' || !('permissionsFor' in channel)) return [];
    const permissions = (channel as GuildBasedChannel).permissionsFor(me);
    if (!permissions) return [];
    // In CARD_PERMISSIONS' order (View, Send, Embed, React, History): the likely cause first.
    return CARD_PERMISSIONS.filter((flag) => !permissions.has(flag)).flatMap((flag) => permissionNames([flag]));
  }

  async function sendCard(channel: SendableChannels & GuildBasedChannel, topic: Topic, entry: PendingPost, log: Logger, history: History): Promise<void> {
    const card = renderTopicPost(entry.paper, topic);
    const found = history.lookup(entry.record) ? findCard(history.messages, card) : undefined;
    if (found) {
      await markCardSent(channel, entry, card, found.id);
      log.info({ paperId: entry.paper.id, messageId: found.id }, 'pending card was already in the channel; marked sent, not sent again');
      if (!found.reactions.cache.get(BOOKMARK_EMOJI)?.me) await addBookmark(found, entry.paper.id, log);
      if (!found.flags.has(MessageFlags.Crossposted)) crosspost(channel, found.id, log);
      return;
    }
    const nonce = entry.record.nonce;
    const message = await channel.send({ ...card, nonce, enforceNonce: true });
    await markCardSent(channel, entry, card, message.id);
    await addBookmark(message, entry.paper.id, log);
    crosspost(channel, message.id, log);
  }

  async function markCardSent(channel: Pick<GuildBasedChannel, 'id'>, entry: PendingPost, card: RenderedMessage, messageId: string): Promise<void> {
    // The message → paper map first: if the process dies before the record says `sent`, the
    // resend gets the same message back (nonce, or the history lookup) and writes the same entry.
    await messages.remember(messageId, entry.paper.id);
    await posted.set(channel.id, entry.paper.id, {
      ...entry.record,
      state: 'sent',
      messageId,
      cardHash: cardHash(card),
      at: clock.now(),
    });
  }

  async function addBookmark(message: Message, paperId: string, log: Logger): Promise<void> {
    try {
      await message.react(BOOKMARK_EMOJI);
    } catch (error) {
      // The card is out; only the 🔖 affordance is missing (people can add it themselves).
      log.warn({ paperId, messageId: message.id, err: describe(error) }, 'could not add the bookmark reaction');
    }
  }

  async function sendDigest(channel: SendableChannels & GuildBasedChannel, topic: Topic, entries: PendingPost[], log: Logger, history: History): Promise<string> {
    const papers = entries.map((e) => e.paper);
    const body = renderTopicDigest(papers, topic);
    const found = history.lookup(entries[0]!.record) ? findDigest(history.messages, body, papers) : undefined;
    if (found) log.info({ papers: entries.length, messageId: found.id }, 'pending digest was already in the channel; marked sent, not sent again');
    const nonce = entries[0]!.record.nonce;
    const message = found ?? (await channel.send({ ...body, nonce, enforceNonce: true }));
    const at = clock.now();
    await posted.setMany(
      channel.id,
      entries.map(({ paper, record }) => ({ paperId: paper.id, record: { ...record, state: 'sent' as const, messageId: message.id, digest: true, at } })),
    );
    if (!found?.flags.has(MessageFlags.Crossposted)) crosspost(channel, message.id, log);
    return message.id;
  }

  /**
   * What the channel shows now, read only when some pending record is older than the nonce window
   * (a fresh record is resent on the nonce alone, as before). `lookup` says whether a record needs
   * the history; when the history could not be read it says no and the record is resent blind.
   */
  async function readHistory(channel: SendableChannels & GuildBasedChannel, pending: readonly PendingPost[], log: Logger): Promise<History> {
    const now = clock.now();
    const stale = (record: PostRecord) => now - record.at > NONCE_TRUST_MS;
    const none: History = { messages: [], lookup: () => false };
    const count = pending.filter((e) => stale(e.record)).length;
    if (count === 0) return none;
    const me = client.user;
    // Without Read Message History Discord does not refuse the read: it lists no messages, which
    // would pass for "never posted". The cached permissions tell that case apart.
    if (!me || channel.permissionsFor(me)?.has(PermissionsBitField.Flags.ReadMessageHistory) === false) {
      log.warn({ stale: count }, 'cannot read the channel history (Read Message History) to check old pending posts; they are sent again and may show twice');
      return none;
    }
    let page: Message[];
    try {
      page = [...(await channel.messages.fetch({ limit: HISTORY_LOOKBACK, cache: false })).values()];
    } catch (error) {
      // 403: the cache was behind. Anything else (404, 5xx, network) is thrown: the send would
      // meet the same channel, and a blind resend is what this lookup is here to avoid.
      if (!(error instanceof DiscordAPIError && error.status === 403)) throw error;
      log.warn({ stale: count, err: describe(error) }, 'cannot read the channel history to check old pending posts; they are sent again and may show twice');
      return none;
    }
    // Ours, and not an interaction reply (those come through the application's webhook).
    const mine = page.filter((m) => m.author.id === me.id && m.webhookId === null);
    return { messages: mine, lookup: stale };
  }

  /**
   * Publish to the servers following an announcement channel. Not awaited: Discord allows about
   * ten publishes per hour per channel and discord.js would hold the run for the whole wait.
   * discord.js's message.crosspost() resolves with the cached message, whose flags predate the
   * publish; the REST answer is the truth, so it is read directly.
   */
  function crosspost(channel: GuildBasedChannel, messageId: string, log: Logger): void {
    if (channel.type !== ChannelType.GuildAnnouncement) return;
    const work = (async () => {
      try {
        const published = (await client.rest.post(Routes.channelMessageCrosspost(channel.id, messageId))) as APIMessage;
        const flags = published.flags ?? 0;
        if ((flags & MessageFlags.Crossposted) === 0) log.warn({ messageId }, 'crosspost answered without the crossposted flag');
      } catch (error) {
        // A resent card (nonce hit) was published the first time round: 40033 means done.
        if (error instanceof DiscordAPIError && error.code === RESTJSONErrorCodes.ThisMessageWasAlreadyCrossposted) return;
        log.warn({ messageId, err: describe(error) }, 'could not crosspost');
      }
    })();
    background(work);
  }

  async function deliver(topic: Topic, work: DeliveryWork, options: DeliveryOptions): Promise<DeliveryResult> {
    const result: DeliveryResult = { posted: 0, digested: 0, edited: 0 };
    const log = deps.logger.child({ guildId: topic.guildId, topic: topic.name, channelId: topic.channelId });
    if (work.pending.length === 0 && work.edits.length === 0) return result;

    let target: (SendableChannels & GuildBasedChannel) | ForumChannel;
    try {
      target = await resolveChannel(topic.channelId);
    } catch (error) {
      return { ...result, stopped: stopFor(error, topic.channelId) };
    }
    if (target.type === ChannelType.GuildForum) return deliverToForum(target, topic, work, options, log);
    const channel = target;

    let history: History;
    try {
      history = await readHistory(channel, work.pending, log);
    } catch (error) {
      return { ...result, stopped: stopFor(error, topic.channelId) };
    }

    const cards = work.pending.filter((e) => !e.record.digest);
    const digests = groupBy(
      work.pending.filter((e) => e.record.digest),
      (e) => e.record.nonce,
    );

    for (const entry of cards) {
      if (options.signal?.aborted) return result;
      try {
        await sendCard(channel, topic, entry, log, history);
        result.posted++;
      } catch (error) {
        if (!closesChannel(error) && refusesMessage(error)) {
          // Discord refused this payload: a renderer bug, not the channel. Others can still go.
          log.error({ paperId: entry.paper.id, err: describe(error) }, 'Discord refused a paper card; it stays pending');
          continue;
        }
        return { ...result, stopped: stopFor(error, topic.channelId) };
      }
    }

    for (const entries of digests.values()) {
      if (options.signal?.aborted) return result;
      try {
        await sendDigest(channel, topic, entries, log, history);
        result.digested += entries.length;
      } catch (error) {
        if (!closesChannel(error) && refusesMessage(error)) {
          log.error({ papers: entries.length, err: describe(error) }, 'Discord refused a digest; it stays pending');
          continue;
        }
        return { ...result, stopped: stopFor(error, topic.channelId) };
      }
    }

    for (const { paper, record, card, hash } of cardEditsDue(work.edits, topic, options.edited)) {
      if (options.signal?.aborted) return result;
      try {
        // Embeds and buttons (a new code link is a button): the content holds the role ping, left as it is.
        await channel.messages.edit(record.messageId, { embeds: card.embeds ?? [], components: card.components ?? [], allowedMentions: { parse: [] } });
        result.edited++;
      } catch (error) {
        if (error instanceof DiscordAPIError && error.code === RESTJSONErrorCodes.UnknownMessage) {
          // Someone deleted the card: nothing to update, and no reason to try again for these facts.
          log.info({ paperId: paper.id, messageId: record.messageId }, 'card to update was deleted');
        } else if (closesChannel(error) || !refusesMessage(error)) {
          return { ...result, stopped: stopFor(error, topic.channelId) };
        } else {
          log.error({ paperId: paper.id, err: describe(error) }, 'Discord refused a card edit');
          continue;
        }
      }
      await posted.set(channel.id, paper.id, { ...record, cardHash: hash });
    }
    return result;
  }

  const forums = createForumPoster({ client, posted, messages, clock, markCardSent: (channelId, entry, card, messageId) => markCardSent({ id: channelId }, entry, card, messageId) });

  /** The forum counterpart of the text-channel path above: one post per card, one for each digest. */
  async function deliverToForum(forum: ForumChannel, topic: Topic, work: DeliveryWork, options: DeliveryOptions, log: Logger): Promise<DeliveryResult> {
    const result: DeliveryResult = { posted: 0, digested: 0, edited: 0 };
    const list = forums.threadLister(forum);
    const attempt = async (what: Record<string, unknown>, send: () => Promise<void>): Promise<DeliveryStop | 'next' | undefined> => {
      try {
        await send();
        return undefined;
      } catch (error) {
        if (error instanceof TagRequired) {
          log.warn(what, 'the forum requires a tag and none of its tags fits this paper; it stays pending until one does');
          return 'next';
        }
        if (!closesChannel(error) && refusesMessage(error)) {
          log.error({ ...what, err: describe(error) }, 'Discord refused a forum post; it stays pending');
          return 'next';
        }
        return stopFor(error, topic.channelId);
      }
    };
    for (const entry of work.pending.filter((e) => !e.record.digest)) {
      if (options.signal?.aborted) return result;
      const outcome = await attempt({ paperId: entry.paper.id }, () => forums.sendCard(forum, topic, entry, log, list));
      if (outcome === undefined) result.posted++;
      else if (outcome !== 'next') return { ...result, stopped: outcome };
    }
    const digests = groupBy(
      work.pending.filter((e) => e.record.digest),
      (e) => e.record.nonce,
    );
    for (const entries of digests.values()) {
      if (options.signal?.aborted) return result;
      const outcome = await attempt({ papers: entries.length }, async () => void (await forums.sendDigest(forum, topic, entries, log, list)));
      if (outcome === undefined) result.digested += entries.length;
      else if (outcome !== 'next') return { ...result, stopped: outcome };
    }
    for (const { paper, record, card, hash } of cardEditsDue(work.edits, topic, options.edited)) {
      if (options.signal?.aborted) return result;
      let edited = false;
      const outcome = await attempt({ paperId: paper.id }, async () => void (edited = await forums.editCard(forum, record, card)));
      if (outcome !== undefined && outcome !== 'next') return { ...result, stopped: outcome };
      if (outcome === 'next') continue;
      if (edited) result.edited++;
      else log.info({ paperId: paper.id, messageId: record.messageId }, 'forum post to update was deleted');
      await posted.set(forum.id, paper.id, { ...record, cardHash: hash });
    }
    return result;
  }

  /**
   * The posted cards whose facts changed since they were sent (a new code link, more upvotes), each
   * once per run even when two topics share it (`edited` holds the message ids already taken), with
   * the card to send and its hash. Text channels and forums edit them each their own way.
   */
  function* cardEditsDue(edits: DeliveryWork['edits'], topic: Topic, edited: Set<string>) {
    for (const { paper, record } of edits) {
      if (edited.has(record.messageId)) continue;
      const card = renderTopicPost(paper, topic);
      const hash = cardHash(card);
      if (hash === record.cardHash) continue;
      edited.add(record.messageId);
      yield { paper, record, card, hash };
    }
  }

  function stopFor(error: unknown, channelId: string): DeliveryStop {
    if (error instanceof ChannelUnusable || closesChannel(error)) return { kind: 'pause', reason: pauseReason(error, channelId) };
    return { kind: 'retry', error: describe(error) };
  }

  async function notifyPaused(topic: Topic, reason: string): Promise<boolean> {
    const log = deps.logger.child({ guildId: topic.guildId, topic: topic.name });
    const guild = client.guilds.cache.get(topic.guildId);
    const notice = renderTopicPausedNotice(topic, reason);
    const system = guild?.systemChannel;
    const me = client.user;
    const canPost =
      system &&
      system.id !== topic.channelId &&
      me &&
      system.permissionsFor(me)?.has([PermissionsBitField.Flags.ViewChannel, PermissionsBitField.Flags.SendMessages]);
    if (canPost) {
      try {
        await system.send(notice);
        return true;
      } catch (error) {
        log.warn({ err: describe(error) }, 'could not tell the system channel about the pause');
      }
    }
    try {
      await client.users.send(topic.createdBy, renderTopicPausedNotice(topic, reason, guild?.name));
      return true;
    } catch (error) {
      // DMs closed (50007) or the user is gone: /topic list still shows the reason.
      log.warn({ err: describe(error) }, 'could not tell the topic creator about the pause');
      return false;
    }
  }

  return { deliver, notifyPaused };
}

/** The bot's own recent messages in a channel, newest first, and which pending records to look up in them. */
type History = { messages: readonly Message[]; lookup: (record: PostRecord) => boolean };

/**
 * A topic card carries `<paper id> · <topic>` in its footer: fixed by the paper and the topic,
 * unlike the title, the link or the facts, which a later version of the paper may change.
 * The oldest match wins: if a card was ever posted twice, the first is the one to keep.
 */
function findCard(history: readonly Message[], card: RenderedMessage): Message | undefined {
  const footer = card.embeds?.[0]?.footer?.text;
  if (!footer) return undefined;
  return history.findLast((m) => m.embeds[0]?.footer?.text === footer);
}

/** The channel cannot take posts at all (deleted, a category, a voice channel). */
class ChannelUnusable extends Error {
  override name = 'ChannelUnusable';
}

function channelLabel(channel: object | undefined, channelId: string): string {
  const name = channel && 'name' in channel && typeof channel.name === 'string' ? channel.name : undefined;
  return name ? `#${name}` : `the channel ${channelId}`;
}

