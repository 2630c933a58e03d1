import { createHash } from 'node:crypto';
import type { Paper } from './paper.js';
import type { PostRecord } from './topic-posts.js';
import type { Topic } from './topics.js';

/**
 * What the topic runner needs from whatever posts its papers: the port between the scheduler
 * (src/app, which decides what to post) and Discord (src/discord/topic-delivery.ts, which sends).
 * The runner is tested against a fake of this interface, without a discord.js client.
 */

/** Discord refuses a nonce longer than 25 characters (50035 BASE_TYPE_MAX_LENGTH). */
export const NONCE_MAX = 25;

/** The nonce of a paper's card in a channel: the same on every attempt, on every restart. */
export function postNonce(channelId: string, paperId: string): string {
  return digestOf(`post:${channelId}:${paperId}`).slice(0, NONCE_MAX);
}

/** The nonce of a digest message: from the channel and the sorted ids it lists. */
export function digestNonce(channelId: string, paperIds: readonly string[]): string {
  return digestOf(`digest:${channelId}:${[...paperIds].sort().join(',')}`).slice(0, NONCE_MAX);
}

function digestOf(text: string): string {
  return createHash('sha256').update(text).digest('base64url');
}

export type PendingPost = { paper: Paper; record: PostRecord };
export type CardEdit = { paper: Paper; record: PostRecord & { messageId: string } };

export type DeliveryWork = {
  /** Pending records in the topic's channel, in posting order: cards and digest entries. */
  pending: PendingPost[];
  /** Cards of papers this run updated; edited when what they show changed. */
  edits: CardEdit[];
};

export type DeliveryStop = { kind: 'pause'; reason: string } | { kind: 'retry'; error: string };

export type DeliveryResult = {
  posted: number;
  digested: number;
  edited: number;
  /** Set when the topic stopped before its work was done. */
  stopped?: DeliveryStop;
};

export type DeliveryOptions = {
  /** Checked between messages: a stopping bot ends the topic at a safe point. */
  signal?: AbortSignal;
  /** Message ids edited in this run, across topics: a message is edited at most once per run. */
  edited: Set<string>;
};

export type TopicDelivery = {
  deliver(topic: Topic, work: DeliveryWork, options: DeliveryOptions): Promise<DeliveryResult>;
  /** Tell the server a topic paused: its system channel if the bot may post there, else the creator by DM. */
  notifyPaused(topic: Topic, reason: string): Promise<boolean>;
};
