import { UserFacingError } from './errors.js';
import { checkTopicInput, DEFAULT_MAX_PER_RUN, MAX_PER_RUN_LIMIT, MAX_TOPICS_PER_GUILD, topicKey, type Topic } from './topics.js';

/**
 * The rules of `/topic add|edit|pause|resume` as pure functions over Topic values: what a new
 * topic looks like, which edits are allowed and what they reset. The command handler checks
 * Discord things (permissions, roles, channel types) and stores what these return.
 */

export type NewTopicInput = {
  guildId: string;
  name: string;
  query: string;
  channelId: string;
  roleId?: string | undefined;
  maxPerRun?: number | undefined;
  digest?: boolean | undefined;
  /** Forums: add missing category tags (see forum-tags.ts). */
  createTags?: boolean | undefined;
  createdBy: string;
};

/** A new active topic; throws UserFacingError on a bad name or query, a taken name, or a full server. */
export function buildNewTopic(input: NewTopicInput, existing: readonly Topic[], now: number): Topic {
  const { name, query } = checkTopicInput(input.name, input.query);
  const key = topicKey(input.guildId, name);
  const taken = existing.find((t) => topicKey(t.guildId, t.name) === key);
  if (taken) {
    throw new UserFacingError(`There is already a topic named "${taken.name}" in this server.`, 'Pick another name, or change it with /topic edit.');
  }
  if (existing.length >= MAX_TOPICS_PER_GUILD) {
    throw new UserFacingError(`This server has ${existing.length} topics, the most Paperboy keeps per server (${MAX_TOPICS_PER_GUILD}).`, 'Remove one with /topic remove first.');
  }
  const topic: Topic = {
    guildId: input.guildId,
    name,
    query,
    channelId: input.channelId,
    maxPerRun: checkMaxPerRun(input.maxPerRun ?? DEFAULT_MAX_PER_RUN),
    digest: input.digest ?? true,
    createdBy: input.createdBy,
    // A server's topics are listed, and run, in the order they were added, by createdAt: one
    // added in the same millisecond as another still comes after it.
    createdAt: Math.max(now, ...existing.map((t) => t.createdAt + 1)),
    status: 'active',
  };
  if (input.roleId) topic.roleId = input.roleId;
  if (input.createTags) topic.createTags = true;
  return topic;
}

/** What `/topic edit` may change; `roleId: null` removes the role. */
export type TopicChanges = {
  query?: string | undefined;
  channelId?: string | undefined;
  roleId?: string | null | undefined;
  maxPerRun?: number | undefined;
  digest?: boolean | undefined;
  createTags?: boolean | undefined;
};

export type TopicEdit = { topic: Topic; changed: (keyof TopicChanges)[] };

/**
 * The topic with `changes` applied, and which fields really changed (a value equal to the current
 * one is no change). A new query or channel starts the topic afresh: its next run is a bounded
 * backfill again, so the new query's backlog (or the old backlog in a new channel) cannot flood
 * the channel. Throws UserFacingError when nothing would change.
 */
export function applyTopicEdit(topic: Topic, changes: TopicChanges): TopicEdit {
  const next: Topic = { ...topic };
  const changed: (keyof TopicChanges)[] = [];
  if (changes.query !== undefined) {
    const { query } = checkTopicInput(topic.name, changes.query);
    if (query !== topic.query) {
      next.query = query;
      changed.push('query');
    }
  }
  if (changes.channelId !== undefined && changes.channelId !== topic.channelId) {
    next.channelId = changes.channelId;
    changed.push('channelId');
  }
  if (changes.roleId === null && topic.roleId !== undefined) {
    delete next.roleId;
    changed.push('roleId');
  } else if (typeof changes.roleId === 'string' && changes.roleId !== topic.roleId) {
    next.roleId = changes.roleId;
    changed.push('roleId');
  }
  if (changes.maxPerRun !== undefined && changes.maxPerRun !== topic.maxPerRun) {
    next.maxPerRun = checkMaxPerRun(changes.maxPerRun);
    changed.push('maxPerRun');
  }
  if (changes.digest !== undefined && changes.digest !== topic.digest) {
    next.digest = changes.digest;
    changed.push('digest');
  }
  if (changes.createTags !== undefined && changes.createTags !== (topic.createTags ?? false)) {
    if (changes.createTags) next.createTags = true;
    else delete next.createTags;
    changed.push('createTags');
  }
  if (changed.length === 0) {
    throw new UserFacingError(`Nothing to change in "${topic.name}".`, 'Give a new query, channel, role, max_per_run, digest or create_tags (or remove_role:true).');
  }
  if (changed.includes('query') || changed.includes('channelId')) delete next.since;
  return { topic: next, changed };
}

/** Paused by a person: no notice to the server (they know), the reason shown in /topic list. */
export function pauseTopic(topic: Topic, by: string): Topic {
  if (topic.status === 'paused') {
    throw new UserFacingError(`"${topic.name}" is already paused${topic.pausedReason ? ` (${topic.pausedReason})` : ''}.`, 'Restart it with /topic resume.');
  }
  return { ...topic, status: 'paused', pausedReason: `paused with /topic pause by ${by}`, pauseNotified: true };
}

/** Active again, the pause and its notice forgotten (a later failure pauses and tells anew). */
export function resumeTopic(topic: Topic): Topic {
  if (topic.status === 'active') throw new UserFacingError(`"${topic.name}" is not paused.`);
  const { pausedReason: _reason, pauseNotified: _notified, ...rest } = topic;
  return { ...rest, status: 'active' };
}

function checkMaxPerRun(value: number): number {
  if (!Number.isInteger(value) || value < 1 || value > MAX_PER_RUN_LIMIT) {
    throw new UserFacingError(`max_per_run is a whole number from 1 to ${MAX_PER_RUN_LIMIT}.`);
  }
  return value;
}
