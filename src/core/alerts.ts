import { z } from 'zod';
import { UserFacingError } from './errors.js';
import type { Atomically, KeyValueStore } from './library.js';
import type { Paper } from './paper.js';
import { createKeyedQueue } from './serial-queue.js';
import { digestNonce } from './topic-delivery-port.js';
import { RECENT_DAYS, type Candidate } from './topic-posts.js';
import { checkTopicInput, compileTopicQuery } from './topics.js';

/**
 * Personal alerts: a member's saved query, delivered by direct message, either as each run finds
 * matching papers (`instant`) or once a day at an hour of the member's choosing (`daily`, in UTC
 * or the member's time zone). Same query syntax and the same matcher as topics.
 *
 * Storage: namespace `alerts`, one key per member (`user:<id>`: their ≤ 5 alerts, time zone and
 * pause state, a small record changed one member at a time), and namespace `alert_posts`, one key
 * per alert (`<user>:<alert>`: paper id → what was delivered, the last ALERT_RECORDS_KEEP_DAYS
 * only): nothing ever rewrites a list of everyone's alerts or deliveries, and removing an alert
 * or a member deletes keys it can name, with no scan. Every change to a member's record, and every
 * write of their deliveries, is one step of the storage's transaction (`atomically`), so two
 * processes (the alert runner on the ingestion leader, /alert on another) never overwrite each
 * other, and a delivery is recorded only while the member still has the alert.
 *
 * Exactly once per alert and paper, as for topics: the papers of a DM are recorded `pending` with
 * the DM's deterministic nonce before it is sent, and `sent` after; a pending group is resent
 * as it was (same papers, same nonce: Discord answers with the first message) before anything new.
 */

export const ALERT_LIMITS = {
  perUser: 5,
  queryMax: 300,
  /** Papers listed in one DM: 12 lines of up to ~280 code points fit an embed's 4,096. */
  perMessage: 12,
  /** DMs per alert per run; the rest wait for the next run (they stay candidates for 7 days). */
  messagesPerRun: 3,
  /** IANA zone names are at most ~30 characters. */
  timezoneMax: 64,
} as const;

export const ALERT_MODES = ['instant', 'daily'] as const;
export type AlertMode = (typeof ALERT_MODES)[number];

export const alertSchema = z.object({
  /** Short, per member: `1`…; shown in /alert list and used by /alert remove. */
  id: z.string().min(1).max(8),
  query: z.string().min(1).max(ALERT_LIMITS.queryMax),
  mode: z.enum(ALERT_MODES),
  /** Daily alerts: the hour (0–23) in the member's time zone. */
  hour: z.number().int().min(0).max(23).optional(),
  /** ms. Papers first seen after this are new to the alert (no backfill: a DM of old papers is noise). */
  createdAt: z.number(),
  /** Daily alerts: the member's local day (YYYY-MM-DD) of the last digest, sent or empty. */
  lastDigestDay: z.string().optional(),
});
export type Alert = z.infer<typeof alertSchema>;

export const alertUserSchema = z.object({
  userId: z.string(),
  /** IANA name, e.g. Europe/Berlin; UTC when unset. */
  timezone: z.string().max(ALERT_LIMITS.timezoneMax).optional(),
  alerts: z.array(alertSchema).max(ALERT_LIMITS.perUser),
  nextId: z.number().int().min(1),
  /** Set when Discord refused a DM (the member closed DMs or blocked the bot): no alert runs. */
  pausedAt: z.number().optional(),
  /** The member still has to be told about the pause (ephemerally, on their next command). */
  noticePending: z.boolean().optional(),
});
export type AlertUser = z.infer<typeof alertUserSchema>;

export type NewAlertInput = { query: string; mode: AlertMode; hour?: number | undefined };

/** The member's alerts with a new one; throws UserFacingError on a bad query, a duplicate or a full list. */
export function addAlert(user: AlertUser | undefined, userId: string, input: NewAlertInput, now: number): { user: AlertUser; alert: Alert } {
  // The same rules as a topic's query: one parser, one matcher.
  const { query } = checkTopicInput('alert', input.query);
  const current: AlertUser = user ?? { userId, alerts: [], nextId: 1 };
  if (current.alerts.length >= ALERT_LIMITS.perUser) {
    throw new UserFacingError(`You have ${current.alerts.length} alerts, the most Paperboy keeps per person.`, 'Remove one with /alert remove first.');
  }
  if (current.alerts.some((a) => a.query.toLowerCase() === query.toLowerCase())) throw new UserFacingError('You already have an alert with that query.', 'See them with /alert list.');
  if (input.mode === 'daily' && input.hour === undefined) throw new UserFacingError('A daily alert needs an hour (0–23).');
  if (input.hour !== undefined && (!Number.isInteger(input.hour) || input.hour < 0 || input.hour > 23)) throw new UserFacingError('The hour is a whole number from 0 to 23.');
  const alert: Alert = { id: String(current.nextId), query, mode: input.mode, createdAt: now };
  if (input.mode === 'daily') alert.hour = input.hour!;
  return { user: alertUserSchema.parse({ ...current, alerts: [...current.alerts, alert], nextId: current.nextId + 1 }), alert };
}

export function removeAlert(user: AlertUser | undefined, id: string): AlertUser {
  const alert = user?.alerts.find((a) => a.id === id.trim());
  if (!user || !alert) throw new UserFacingError(`You have no alert ${JSON.stringify(id.slice(0, 8))}.`, 'See your alerts with /alert list.');
  return { ...user, alerts: user.alerts.filter((a) => a !== alert) };
}

/** A time zone as Intl knows it, in its canonical spelling; throws UserFacingError otherwise. */
export function checkTimezone(zone: string): string {
  const name = zone.trim();
  if (!name || name.length > ALERT_LIMITS.timezoneMax) throw new UserFacingError('Give a time zone name such as Europe/Berlin or America/New_York.');
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    throw new UserFacingError(`"${name.slice(0, ALERT_LIMITS.timezoneMax)}" is not a time zone I know.`, 'Use an IANA name such as Europe/Berlin, Asia/Tokyo or UTC.');
  }
}

/** The local calendar day and hour at `now` in `timezone` (UTC when unset). */
export function localTime(now: number, timezone: string | undefined): { day: string; hour: number } {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: timezone ?? 'UTC', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', hourCycle: 'h23' }).formatToParts(now);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '00';
  return { day: `${get('year')}-${get('month')}-${get('day')}`, hour: Number(get('hour')) };
}

/** A daily alert's digest is due once its hour has come on a local day it has not had one yet. */
export function digestDueDay(alert: Alert, timezone: string | undefined, now: number): string | undefined {
  if (alert.mode !== 'daily' || alert.hour === undefined) return undefined;
  const { day, hour } = localTime(now, timezone);
  return hour >= alert.hour && alert.lastDigestDay !== day ? day : undefined;
}

/**
 * How long what an alert delivered is kept: a record only matters while its paper can still be a
 * candidate (the runner looks back RECENT_DAYS), long after Discord's nonce window (minutes) and
 * the DM history check; a day more for runs that start late.
 */
export const ALERT_RECORDS_KEEP_DAYS = RECENT_DAYS + 1;
const DAY_MS = 86_400_000;

export type AlertRecord = {
  state: 'pending' | 'sent';
  /** The DM's nonce: the papers of one DM share it, so a pending DM is resent as it was. */
  nonce: string;
  at: number;
  messageId?: string;
};

export type AlertMessage = {
  papers: Paper[];
  nonce: string;
  resend: boolean;
  /** A resent DM: when its papers were first recorded pending (past Discord's nonce window, the DM's history is checked). */
  pendingSince?: number;
};

/** The candidates an alert is about: matching its query, first seen after it was made, oldest first. */
export function alertMatches(alert: Alert, candidates: readonly Candidate[]): Candidate[] {
  const matches = compileTopicQuery(alert.query);
  return candidates
    .filter((c) => c.seenAt > alert.createdAt && matches(c))
    .sort((a, b) => a.seenAt - b.seenAt || a.date - b.date || (a.paper.id < b.paper.id ? -1 : a.paper.id > b.paper.id ? 1 : 0));
}

/**
 * What one alert sends in one run: first every pending DM as it was, then (instant alerts, or a
 * daily one whose digest is due) the matches never recorded, oldest first, ALERT_LIMITS.perMessage
 * to a DM, at most messagesPerRun DMs in all. `matching` is alertMatches' answer and `records`
 * what is recorded for those papers.
 */
export function planAlertMessages(
  user: Pick<AlertUser, 'userId' | 'timezone'>,
  alert: Alert,
  matching: readonly Candidate[],
  records: ReadonlyMap<string, AlertRecord>,
  now: number,
): { messages: AlertMessage[]; digestDay?: string } {
  const pending = new Map<string, { papers: Paper[]; since: number }>();
  for (const c of matching) {
    const record = records.get(c.paper.id);
    if (record?.state !== 'pending') continue;
    const group = pending.get(record.nonce) ?? { papers: [], since: record.at };
    pending.set(record.nonce, { papers: [...group.papers, c.paper], since: Math.min(group.since, record.at) });
  }
  const messages: AlertMessage[] = [...pending].map(([nonce, { papers, since }]) => ({ papers, nonce, resend: true, pendingSince: since }));
  const digestDay = digestDueDay(alert, user.timezone, now);
  if (alert.mode === 'daily' && digestDay === undefined) return { messages: messages.slice(0, ALERT_LIMITS.messagesPerRun) };
  const fresh = matching.filter((c) => !records.has(c.paper.id)).map((c) => c.paper);
  for (let i = 0; i < fresh.length && messages.length < ALERT_LIMITS.messagesPerRun; i += ALERT_LIMITS.perMessage) {
    const papers = fresh.slice(i, i + ALERT_LIMITS.perMessage);
    messages.push({ papers, nonce: alertNonce(user.userId, alert.id, papers), resend: false });
  }
  const planned = messages.slice(0, ALERT_LIMITS.messagesPerRun);
  return digestDay === undefined ? { messages: planned } : { messages: planned, digestDay };
}

/** The DM's nonce: from the member, the alert and the papers it lists, the same on every attempt. */
export function alertNonce(userId: string, alertId: string, papers: readonly Pick<Paper, 'id'>[]): string {
  return digestNonce(`alert:${userId}:${alertId}`, papers.map((p) => p.id));
}

export type AlertDmResult = { kind: 'sent'; messageId: string } | { kind: 'closed' };

/** The port to Discord: src/discord/alert-delivery.ts. */
export type AlertDelivery = {
  /**
   * One alert DM listing `papers`, sent with `nonce` (the same on every attempt). `closed` when the
   * member does not accept DMs from the bot (Discord's 50007); any other failure throws.
   */
  send(user: Pick<AlertUser, 'userId' | 'timezone'>, alert: Alert, papers: readonly Paper[], nonce: string, pendingSince?: number): Promise<AlertDmResult>;
  /** A short DM saying alerts are on again: how /alert resume checks that DMs are open. */
  greet(userId: string): Promise<AlertDmResult>;
};

/** Every member's alerts, one key per member. */
export type Alerts = {
  get(userId: string): Promise<AlertUser | undefined>;
  /**
   * Read, change and write one member's record in one step (one transaction of the storage, so
   * across processes too); `change` returns undefined to keep it, null to delete it.
   */
  update(userId: string, change: (current: AlertUser | undefined) => AlertUser | undefined | null): Promise<AlertUser | undefined>;
  /** Every member with alerts, in batches. */
  all(batchSize?: number): AsyncIterable<AlertUser[]>;
};

/** What one alert delivered: paper id → record. */
export type AlertPosts = Record<string, AlertRecord>;

/** What was delivered for each alert and paper. */
export type AlertRecords = {
  getMany(userId: string, alertId: string, paperIds: readonly string[]): Promise<Map<string, AlertRecord>>;
  /**
   * Records these deliveries of `alert`, in one step with a check that the member still has it
   * (same id, same creation): false, and nothing written, when they removed it or forgot
   * themselves meanwhile. Records older than ALERT_RECORDS_KEEP_DAYS (before the newest of
   * `records`) or than the alert itself are dropped on the way.
   */
  setMany(userId: string, alert: Pick<Alert, 'id' | 'createdAt'>, records: { paperId: string; record: AlertRecord }[]): Promise<boolean>;
  /** Forget what these alerts of a member delivered (an alert removed, or /bookmarks forget-me): one key each. */
  forget(userId: string, alertIds: readonly string[]): Promise<void>;
};

export type AlertStoreOptions = {
  /**
   * The storage's transaction (`storage.atomically`): a member's read-modify-write runs as one
   * step across every process on the store. Without it (a memory store in tests) the steps are
   * only ordered within this process.
   */
  atomically?: Atomically;
  /** The storage's durable transaction: records written before a DM guard that send. `atomically` when absent. */
  durably?: Atomically;
};

/** The ids a member's alerts have had (ids count up from 1 and are not reused while the member's record lives). */
export function alertIdsEver(user: Pick<AlertUser, 'nextId'>): string[] {
  return Array.from({ length: user.nextId - 1 }, (_, i) => String(i + 1));
}

export function createAlertStores(
  stores: { alerts: KeyValueStore<AlertUser>; alert_posts: KeyValueStore<AlertPosts> },
  options: AlertStoreOptions = {},
): { users: Alerts; records: AlertRecords } {
  const { alerts: store, alert_posts: posts } = stores;
  const userKey = (userId: string) => `user:${userId}`;
  const postsKey = (userId: string, alertId: string) => `${userId}:${alertId}`;
  const atomically = options.atomically ?? ((work) => work());
  const durably = options.durably ?? atomically;
  // The queue outside, the transaction inside, as for topics: one member's steps in order here,
  // one at a time across processes.
  const queue = createKeyedQueue();
  const read = (userId: string) => store.get(userKey(userId));

  const users: Alerts = {
    get: read,
    update: (userId, change) =>
      queue(userId, () =>
        atomically(async () => {
          const current = await read(userId);
          const next = change(current);
          if (next === undefined) return current;
          // A member with nothing left to remember (no alert, no zone, nothing to tell) leaves no record.
          if (next === null || (next.alerts.length === 0 && next.timezone === undefined && !next.noticePending)) {
            await store.deleteMany([userKey(userId)]);
            return undefined;
          }
          const parsed = alertUserSchema.parse(next);
          await store.set(userKey(userId), parsed);
          return parsed;
        }),
      ),
    async *all(batchSize = 200) {
      for await (const batch of store.entries(batchSize)) {
        const found = batch.filter((e) => e.key.startsWith('user:')).map((e) => e.value);
        if (found.length > 0) yield found;
      }
    },
  };

  const records: AlertRecords = {
    async getMany(userId, alertId, paperIds) {
      const stored = (await posts.get(postsKey(userId, alertId))) ?? {};
      const out = new Map<string, AlertRecord>();
      for (const id of paperIds) if (Object.hasOwn(stored, id)) out.set(id, stored[id]!);
      return out;
    },
    setMany: (userId, alert, entries) =>
      queue(userId, () =>
        durably(async () => {
          const owner = await read(userId);
          if (!owner?.alerts.some((a) => a.id === alert.id && a.createdAt === alert.createdAt)) return false;
          if (entries.length === 0) return true;
          const key = postsKey(userId, alert.id);
          const newest = Math.max(...entries.map((e) => e.record.at));
          const keepFrom = Math.max(newest - ALERT_RECORDS_KEEP_DAYS * DAY_MS, alert.createdAt);
          const next: AlertPosts = {};
          for (const [paperId, record] of Object.entries((await posts.get(key)) ?? {})) if (record.at >= keepFrom) next[paperId] = record;
          for (const { paperId, record } of entries) next[paperId] = record;
          await posts.set(key, next);
          return true;
        }),
      ),
    async forget(userId, alertIds) {
      if (alertIds.length > 0) await posts.deleteMany(alertIds.map((id) => postsKey(userId, id)));
    },
  };
  return { users, records };
}
