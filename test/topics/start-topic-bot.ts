/**
 * The bot with topic channels, end to end: the real bot (startBot through startTestBot) against
 * the fake Discord, fed by a fake Hugging Face Daily Papers API on loopback whose papers the
 * test controls, on a clock the test moves. Topics are saved directly (the /topic commands are
 * tested on their own) and runs are started with ctx.topicRunner.runNow, not by waiting.
 */
import { expect } from 'vitest';
import type { Clock } from '../../src/core/search-sessions.js';
import type { PostRecord } from '../../src/core/topic-posts.js';
import type { Topic } from '../../src/core/topics.js';
import type { TopicRunReport } from '../../src/discord/bot-context.js';
import { openStorage, type Storage } from '../../src/storage/open-storage.js';
import type { StoredMessage } from '../../sandbox/fake-discord/state.js';
import { startTestBot, type TestBot, type TestBotOptions } from '../discord/start-test-bot.js';
import { startFakeHf, type FakeHf, type HfPaper } from '../../sandbox/hf-feed/fake-hf.js';

export { startFakeHf, type FakeHf, type HfPaper } from '../../sandbox/hf-feed/fake-hf.js';

/** Monday 2026-03-02, 09:00 UTC: the first run's "now". */
export const T0 = Date.parse('2026-03-02T09:00:00Z');
export const MINUTE = 60_000;

export type MutableClock = Clock & { advance(ms: number): void };

export function mutableClock(start = T0): MutableClock {
  let now = start;
  return { now: () => now, advance: (ms) => void (now += ms) };
}

/** `count` diffusion papers with ids 2603.0NNNN from `from` on, published on consecutive days. */
export function diffusionPapers(count: number, from = 1): HfPaper[] {
  return Array.from({ length: count }, (_, i) => {
    const n = from + i;
    return {
      id: `2603.${String(n).padStart(5, '0')}`,
      title: `Diffusion Models for Task ${n}`,
      published: `2026-02-${String(Math.min(28, n)).padStart(2, '0')}`,
      upvotes: n,
    };
  });
}

export type TopicSpec = {
  name: string;
  query: string;
  /** Channel name in the fake guild. */
  channel: string;
  roleId?: string;
  maxPerRun?: number;
  digest?: boolean;
  /** Username; default alice. */
  createdBy?: string;
};

export type TopicBot = TestBot & {
  readonly clock: MutableClock;
  readonly hf: FakeHf;
  /** Save a topic as /topic add would. */
  addTopic(spec: TopicSpec): Promise<Topic>;
  topic(name: string): Promise<Topic>;
  /** One fetch-and-post cycle, as /topic refresh starts it. */
  run(): Promise<TopicRunReport>;
  /** Live messages the bot posted in a channel (by name), oldest first. */
  botMessages(channel: string): StoredMessage[];
  /** The bot's store through a second connection (SQLite allows it), e.g. inside restart's callback. */
  withStore<R>(work: (storage: Storage) => Promise<R>): Promise<R>;
  /** The posted record of a paper in a channel (by id). */
  postRecord(channelId: string, paperId: string): Promise<PostRecord | undefined>;
};

export async function startTopicBot(options: TestBotOptions & { clock?: MutableClock } = {}): Promise<TopicBot> {
  const clock = options.clock ?? mutableClock();
  const hf = await startFakeHf(clock);
  let t: TestBot;
  try {
    t = await startTestBot({
      logLevel: 'info',
      ...options,
      clock,
      env: { SOURCES: 'hf', HF_API_URL: hf.url, HF_DAYS: '3', ...options.env },
      // Failure tests: one quick retry instead of 1 s, 2 s, 4 s backoff.
      sourceHttp: { retries: 1, baseDelayMs: 5, maxDelayMs: 20, timeoutMs: 3000, ...options.sourceHttp },
    });
  } catch (error) {
    await hf.close();
    throw error;
  }
  const close = t.close;
  return Object.assign(t, {
    clock,
    hf,
    async addTopic(spec: TopicSpec) {
      const topic: Topic = {
        guildId: t.guildId,
        name: spec.name,
        query: spec.query,
        channelId: t.channel(spec.channel),
        maxPerRun: spec.maxPerRun ?? 5,
        digest: spec.digest ?? true,
        createdBy: t.user(spec.createdBy ?? 'alice'),
        // As /topic add does (buildNewTopic): after every topic already there, so they run in the order added.
        createdAt: Math.max(clock.now(), ...(await t.bot.ctx.topics.list(t.guildId)).map((existing) => existing.createdAt + 1)),
        status: 'active',
        ...(spec.roleId ? { roleId: spec.roleId } : {}),
      };
      await t.bot.ctx.topics.save(topic);
      return topic;
    },
    async topic(name: string) {
      const topic = await t.bot.ctx.topics.get(t.guildId, name);
      if (!topic) throw new Error(`no topic ${name}`);
      return topic;
    },
    async run() {
      const report = await t.bot.ctx.topicRunner.runNow('refresh');
      expect(report, 'a run was already in progress').toBeDefined();
      return report!;
    },
    botMessages(channel: string) {
      const channelId = t.channel(channel);
      return [...t.fake.state.messages.values()].filter((m) => m.channelId === channelId && m.authorId === t.fake.botUserId && !m.deleted);
    },
    async withStore<R>(work: (storage: Storage) => Promise<R>) {
      const storage = await openStorage(t.config.storeUrl);
      try {
        return await work(storage);
      } finally {
        await storage.close();
      }
    },
    postRecord(channelId: string, paperId: string) {
      return this.withStore((storage) => storage.store<PostRecord>('posted').get(`${channelId}:${paperId}`));
    },
    async close() {
      await close();
      await hf.close();
    },
  });
}

/** The POST /channels/{id}/messages requests to a channel (by id), with their bodies. */
export function messagePosts(t: TestBot, channelId: string): { body: Record<string, any>; status: number; response: any }[] {
  return t.fake
    .requestsFor('/channels/:id/messages', 'POST')
    .filter((r) => r.path.includes(`/channels/${channelId}/`))
    .map((r) => ({ body: r.body as Record<string, any>, status: r.status, response: r.response }));
}

/** The paper id a card shows in its footer ("2603.00001 · topic"). */
export function cardPaperId(message: StoredMessage): string | undefined {
  const embed = message.embeds[0] as { footer?: { text?: string } } | undefined;
  return embed?.footer?.text?.split(' · ')[0];
}
