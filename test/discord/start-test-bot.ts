/**
 * The bot as `npm start` runs it (config from an environment, pino logger, startBot), against
 * the fake Discord, on a library in a temp dir: the bundled seed papers (imported into the empty
 * store on first open) plus a few hand-written ones with arXiv ids (see EXTRA_PAPERS).
 *
 * Logs go to memory so tests can scan them for secrets. Commands are registered with the same
 * deployCommands the CLI uses, so injected slash commands carry the registered option types.
 */
import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { commands } from '../../commands/index.js';
import { startBot, type BotOptions, type RunningBot } from '../../src/app/start-bot.js';
import { loadConfig, type BotConfig, type LogLevel } from '../../src/config.js';
import type { Clock } from '../../src/core/search-sessions.js';
import { deployCommands } from '../../src/discord/deploy-commands.js';
import { openLibraryService, SEED_FILE, type LibraryService } from '../../src/app/library-service.js';
import { createLogger } from '../../src/logger.js';
import { createMemoryStore } from '../../src/storage/memory-store.js';
import type { CommandOptionsSpec } from '../../sandbox/fake-discord/dispatch-payloads.js';
import { startFakeDiscord, type FakeDiscord, type FakeDiscordOptions, type RecordedRequest } from '../../sandbox/fake-discord/fake-discord.js';

/** 2025-11-20: the newest seed papers (Oct–Nov 2025) fall within /paper recent days:30. */
export const FIXED_NOW = Date.parse('2025-11-20T12:00:00Z');
export const fixedClock: Clock = { now: () => FIXED_NOW };

export const DPO_ID = '2305.18290';
export const EVIL_ID = '2511.00001';
export const RECENT_ID = '2511.04242';
export const EVIL_TITLE = 'Hey @everyone, <@123> says **markdown** is _fun_ [click](https://evil.example) <#456>';

/** Hand-written papers in the JSONL record shape the importer reads. */
export const EXTRA_PAPERS = [
  {
    id: DPO_ID,
    title: 'Direct Preference Optimization: Your Language Model is Secretly a Reward Model',
    abstract:
      'While large-scale unsupervised language models learn broad world knowledge, achieving precise control of their behavior is difficult. ' +
      'We introduce direct preference optimization (DPO), a stable and lightweight algorithm that fits a policy to human preferences with a simple classification loss, without reinforcement learning.',
    authors: ['Rafael Rafailov', 'Archit Sharma', 'Eric Mitchell', 'Stefano Ermon', 'Christopher D. Manning', 'Chelsea Finn'],
    published: '2023-05-29',
    categories: ['cs.LG', 'cs.AI', 'cs.CL'],
    upvotes: 12,
    sources: ['jsonl'],
  },
  {
    id: EVIL_ID,
    title: EVIL_TITLE,
    abstract: 'An abstract that pings @here and <@&789>, with ||spoilers|| and `code` in it: preference optimization mischief.',
    authors: ['@everyone', 'Mallory <@123>'],
    published: '2025-11-14',
    categories: ['cs.CL'],
    upvotes: 1,
    sources: ['jsonl'],
  },
  {
    id: RECENT_ID,
    title: 'Reward Models for Preference Optimization in the Wild',
    abstract: 'We study reward models trained on human preferences collected in production systems and their effect on direct preference optimization.',
    authors: ['Ada Lovelace', 'Alan Turing'],
    published: '2025-11-18',
    categories: ['cs.LG'],
    upvotes: 40,
    sources: ['jsonl'],
  },
] as const;

/** Per-user limits no test scenario reaches. */
export const UNLIMITED = { actions: { capacity: 10_000, refillMs: 1 }, autocomplete: { capacity: 10_000, refillMs: 1 } } as const;

export type TestBotOptions = {
  clock?: Clock;
  logLevel?: LogLevel;
  fake?: FakeDiscordOptions;
  /** Extra environment for the bot's config (e.g. SOURCES, HF_API_URL pointing at a local server). */
  env?: Record<string, string>;
  /** Start the topic schedule (a run at once, then every POLL_INTERVAL). Default false: tests call runNow. */
  schedule?: boolean;
  /** The sources' HTTP client settings (short retries for failure tests). */
  sourceHttp?: BotOptions['sourceHttp'];
  /**
   * Per-user interaction limits. Scenarios that send dozens of interactions per person within a
   * second (faster than anyone clicks) pass UNLIMITED; public-answers.e2e tests the real ones.
   */
  rateLimits?: BotOptions['rateLimits'];
  indexRetryMs?: BotOptions['indexRetryMs'];
  /** Wait for the search index before answering (default true; false to see the bot while it loads). */
  waitForIndex?: boolean;
  /** The library service the bot uses, opened from the test's config (default: the bot opens its own). */
  service?: (config: BotConfig) => Promise<LibraryService>;
};

export type TestBot = {
  readonly fake: FakeDiscord;
  /** The running bot; replaced by `restart()`. */
  readonly bot: RunningBot;
  readonly config: BotConfig;
  readonly dir: string;
  readonly token: string;
  readonly guildId: string;
  /** Everything the bot logged so far (JSON lines). */
  logs(): string;
  /** Channel id by name (general, papers-ml, read-only, …). */
  channel(name: string): string;
  /** User id by username (alice, bob, …). */
  user(name: string): string;
  /**
   * Stop the bot and start a new one on the same store and the same fake Discord (a restart).
   * `whileStopped` runs in between, e.g. to edit the store as a crash would have left it.
   */
  restart(whileStopped?: () => Promise<void>): Promise<RunningBot>;
  /** Inject a slash command and wait for its first response (the callback). */
  slash(spec: CommandOptionsSpec & { channelId?: string; user?: string }): Promise<Answer>;
  /** Every interaction token the fake handed out, for the log scan. */
  interactionTokens(): string[];
  close(): Promise<void>;
};

export type Answer = {
  id: string;
  token: string;
  callback: RecordedRequest;
  /** The callback's `data`, or {} (type 5/6 have none). */
  data: Record<string, any>;
  type: number;
};

/** A token that passes the config's "looks like a bot token" check; the fake accepts only it. */
export function fakeBotToken(): string {
  return `MTE${randomBytes(18).toString('base64url')}.G${randomBytes(4).toString('base64url')}.${randomBytes(27).toString('base64url')}`;
}

/** Nothing listens on the discard port: a scheduled run's fetch fails at once, without DNS or the internet. */
export const NO_SOURCE_URL = 'http://127.0.0.1:9';

export function botEnv(fake: FakeDiscord, dir: string, token: string, logLevel: LogLevel = 'warn'): Record<string, string> {
  return {
    DISCORD_TOKEN: token,
    DISCORD_API_URL: fake.apiUrl,
    STORE_URL: `sqlite://${path.join(dir, 'p.sqlite')}`,
    INDEX_PATH: path.join(dir, 'p.index'),
    LOG_LEVEL: logLevel,
    HF_API_URL: NO_SOURCE_URL,
  };
}

/** Write the extra papers and import them: the first open also imports the bundled seed. */
export async function seedLibrary(config: BotConfig, dir: string): Promise<void> {
  const file = path.join(dir, 'extra-papers.jsonl');
  await writeFile(file, `${EXTRA_PAPERS.map((p) => JSON.stringify(p)).join('\n')}\n`);
  // The bundled papers are imported as real papers here (the sample would step aside for the
  // extra ones): the tests search both.
  const service = await openLibraryService(config, { seedFile: null });
  try {
    await service.importFile(SEED_FILE, { format: 'jsonl' });
    const summary = await service.importFile(file, { format: 'jsonl' });
    if (summary.added !== EXTRA_PAPERS.length) throw new Error(`seeding: added ${summary.added} of ${EXTRA_PAPERS.length} papers`);
  } finally {
    await service.close();
  }
}

/** `work` or a rejection after `ms`, so a hung destroy/close cannot hang the suite. */
export async function within<T>(ms: number, what: string, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} took over ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export async function startTestBot(options: TestBotOptions = {}): Promise<TestBot> {
  const dir = await mkdtemp(path.join(tmpdir(), 'paperboy-e2e-'));
  const token = fakeBotToken();
  const chunks: string[] = [];
  const logger = createLogger(options.logLevel ?? 'warn', { write: (line: string) => void chunks.push(line) });
  let fake: FakeDiscord | undefined;
  let bot: RunningBot | undefined;
  const issued: string[] = [];

  const cleanup = async () => {
    const running = bot;
    if (running) await within(8_000, 'bot.stop()', running.stop(1_000)).catch(() => within(3_000, 'client.destroy()', running.client.destroy()).catch(() => undefined));
    bot = undefined;
    if (fake) await within(3_000, 'fake.close()', fake.close()).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  };

  try {
    fake = await startFakeDiscord({ token, heartbeatIntervalMs: 1000, ...options.fake });
    const started = fake;
    const config = loadConfig({ ...botEnv(fake, dir, token, options.logLevel ?? 'warn'), ...options.env }, { require: 'bot' });
    const guildId = fake.state.guild().id;
    await deployCommands({
      bodies: commands.map((c) => c.data),
      token,
      applicationId: fake.applicationId,
      guildId,
      apiUrl: fake.apiUrl,
      deployed: createMemoryStore<string>(),
    });
    await seedLibrary(config, dir);
    const start = async () =>
      within(
        15_000,
        'startBot',
        startBot({
          config,
          logger,
          schedule: options.schedule ?? false,
          ...(options.clock ? { clock: options.clock } : {}),
          ...(options.sourceHttp ? { sourceHttp: options.sourceHttp } : {}),
          ...(options.service ? { service: await options.service(config) } : {}),
          ...(options.rateLimits ? { rateLimits: options.rateLimits } : {}),
          ...(options.indexRetryMs ? { indexRetryMs: options.indexRetryMs } : {}),
        }).then(async (running) => {
          // Tests search right away: wait for the index the bot loads after logging in.
          if (options.waitForIndex ?? true) await running.indexReady;
          return running;
        }),
      );
    bot = await start();

    const channel = (name: string) => {
      const found = started.state.channelsOf(guildId).find((c) => c.name === name);
      if (!found) throw new Error(`no channel #${name}`);
      return found.id;
    };
    const testBot: TestBot = {
      fake: started,
      get bot() {
        if (!bot) throw new Error('the bot is stopped');
        return bot;
      },
      config,
      dir,
      token,
      guildId,
      logs: () => chunks.join(''),
      channel,
      user: (name) => started.state.user(name).id,
      async restart(whileStopped) {
        if (bot) await within(8_000, 'bot.stop()', bot.stop(1_000));
        bot = undefined;
        await whileStopped?.();
        bot = await start();
        return bot;
      },
      async slash(spec) {
        const injected = started.injectSlashCommand(spec);
        issued.push(injected.token);
        const callback = await injected.firstResponse(4_000);
        const body = (callback.body ?? {}) as Record<string, any>;
        return { id: injected.id, token: injected.token, callback, data: body.data ?? {}, type: body.type };
      },
      interactionTokens: () => [...issued, ...[...started.state.interactions.values()].map((i) => i.token)],
      close: cleanup,
    };
    return testBot;
  } catch (error) {
    await cleanup();
    throw error;
  }
}

/** Message bodies the bot sent (callbacks with a message, follow-ups, edits, channel messages). */
export function sentMessageBodies(fake: FakeDiscord): { request: RecordedRequest; body: Record<string, any> }[] {
  const out: { request: RecordedRequest; body: Record<string, any> }[] = [];
  for (const request of fake.requests) {
    const body = request.body as Record<string, any> | undefined;
    if (!body || typeof body !== 'object') continue;
    if (request.route === '/interactions/:id/:token/callback') {
      if ((body.type === 4 || body.type === 7) && body.data) out.push({ request, body: body.data });
    } else if (
      (request.route.startsWith('/webhooks/') && request.method !== 'GET' && request.method !== 'DELETE') ||
      (request.route.startsWith('/channels/:id/messages') && !request.route.includes('reactions') && request.method !== 'GET' && request.method !== 'DELETE')
    ) {
      out.push({ request, body });
    }
  }
  return out;
}

/** The message an interaction's `@original` is (its id in the fake), once answered. */
export function originalMessageId(fake: FakeDiscord, interactionId: string): string {
  const id = fake.state.interactions.get(interactionId)?.originalMessageId;
  if (!id) throw new Error(`interaction ${interactionId} has no original message`);
  return id;
}

/** Every custom_id in a message body's components. */
export function customIds(data: Record<string, any>): string[] {
  return (data.components ?? []).flatMap((row: any) => (row.components ?? []).map((c: any) => c.custom_id).filter(Boolean));
}

export const EPHEMERAL = 64;

/**
 * Every message body the bot sent pings nobody (allowed_mentions.parse is []) and shows no live
 * mention syntax; markdown surfaces show the test title's **markdown** escaped. Plain surfaces
 * (select labels, footers, authors) render no markdown, so they may show it verbatim.
 */
export function expectInertMessages(fake: FakeDiscord, { atLeast = 1 } = {}): void {
  const bodies = sentMessageBodies(fake);
  expect(bodies.length).toBeGreaterThanOrEqual(atLeast);
  for (const { request, body } of bodies) {
    const where = `${request.method} ${request.route}`;
    expect(body.allowed_mentions, where).toEqual({ parse: [] });
    const text = JSON.stringify(body);
    expect(text, where).not.toContain(EVIL_TITLE);
    expect(text, where).not.toMatch(/@(everyone|here)/);
    expect(text, where).not.toMatch(/<[@#]/);
    const markdownSurfaces = [
      body.content,
      ...(body.embeds ?? []).flatMap((e: any) => [e.title, e.description, ...(e.fields ?? []).flatMap((f: any) => [f.name, f.value])]),
    ];
    for (const surface of markdownSurfaces) expect(String(surface ?? ''), where).not.toMatch(/(?<!\\)\*\*markdown/);
  }
}
