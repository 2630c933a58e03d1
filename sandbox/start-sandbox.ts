/**
 * `npm run sandbox`: Paperboy without a Discord token. On 127.0.0.1 it starts
 *
 *   the fake Discord (sandbox/fake-discord) with the sandbox server (sandbox-guild.ts),
 *   a local Hugging Face Daily Papers feed serving the bundled library (hf-feed/sandbox-feed.ts),
 *   the real bot — config from loadConfig, startBot, commands registered by deployCommands, as
 *   `npm start` and `npm run deploy-commands` do — pointed at both (DISCORD_API_URL, HF_API_URL),
 *   and the page server: a small Discord client in the browser (web/), talking to the fake
 *   Discord through its client API.
 *
 * Its state is a SQLite file of its own (data/sandbox.sqlite by default), so bookmarks and
 * topics survive a restart; the fake Discord's messages do not (as if the channels were cleared).
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { commands } from '../commands/index.js';
import { openLibraryService, SEED_FILE, type LibraryService } from '../src/app/library-service.js';
import { logServiceEvent, startBot, type RunningBot } from '../src/app/start-bot.js';
import { loadConfig, type LogLevel } from '../src/config.js';
import type { Paper } from '../src/core/paper.js';
import { deployCommands } from '../src/discord/deploy-commands.js';
import { createLogger } from '../src/logger.js';
import { createMemoryStore } from '../src/storage/memory-store.js';
import { createClientApi, type ClientApi } from './fake-discord/client-api.js';
import { startFakeDiscord, type FakeDiscord } from './fake-discord/fake-discord.js';
import { startSandboxFeed, type SandboxFeed } from './hf-feed/sandbox-feed.js';
import { SANDBOX_GUILD, SANDBOX_IDS, SANDBOX_PEOPLE } from './sandbox-guild.js';
import { createPageAssets, thumbnailSvg, type PageAssets } from './page-assets.js';
import { createPageGuard } from './page-guard.js';

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

export type SandboxOptions = {
  /** Port of the page; 0 picks a free one. Default 8787. */
  port?: number;
  /** Directory of sandbox.sqlite and sandbox.index. Default: the repository's data/. */
  dataDir?: string;
  /** How often the feed lists new papers; null: only from the page's button. Default 2 minutes. */
  feedIntervalMs?: number | null;
  /** The bot's POLL_INTERVAL. Default 2m: new papers reach topic channels soon after the feed lists them. */
  pollInterval?: string;
  logLevel?: LogLevel;
  /**
   * Discord's 3 s to acknowledge an interaction (the default). The browser test allows more: on a
   * CI machine running every test file at once a late answer is load, not a bug; the e2e tests
   * hold the bot to 3 s.
   */
  interactionAckDeadlineMs?: number;
  /** Where the bot's JSON log lines go (default stdout). */
  logDestination?: { write(line: string): void };
  /**
   * Papers the library takes in before the bot starts, through the library service's own
   * `ingest` (what the feeds and imports use: records of one paper merge, and the bundled sample
   * steps aside as it does when real papers arrive). Their thumbnails are served by the page, as
   * the feed's are. For test/sandbox/card-picture.test.ts, whose card needs a paper with authors
   * and links, which the bundled papers lack; `npm run sandbox` passes none.
   */
  extraPapers?: readonly Paper[];
};

export type Sandbox = {
  /** The page: open it in a browser. */
  readonly url: string;
  readonly fake: FakeDiscord;
  readonly feed: SandboxFeed;
  readonly bot: RunningBot;
  close(): Promise<void>;
};

/** Passes the config's token check; the fake Discord accepts this token and no other. */
function sandboxToken(): string {
  return `sandbox.${randomBytes(24).toString('base64url')}`;
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const dataDir = options.dataDir ?? path.join(REPO_ROOT, 'data');
  const logLevel = options.logLevel ?? 'warn';
  const logger = createLogger(logLevel, options.logDestination);
  const token = sandboxToken();
  const closers: (() => Promise<void>)[] = [];
  const closeAll = async () => {
    for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
  };

  try {
    const assets: PageAssets = await createPageAssets();
    // The page server comes first: the feed's thumbnails point at it.
    let api: ClientApi | undefined;
    let feed: SandboxFeed | undefined;
    // Set once the port is known, before the first request can arrive (listen's callback runs first).
    let guard: ReturnType<typeof createPageGuard> | undefined;
    const server = createServer((request, response) => {
      void serve(request, response).catch(() => {
        if (!response.headersSent) response.writeHead(500).end('sandbox error');
        else response.end();
      });
    });
    const serve = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
      const refused = guard ? guard.check(request, 'request') : { status: 403, reason: 'starting' };
      if (refused) {
        response.writeHead(refused.status, { 'content-type': 'text/plain' }).end(refused.reason);
        return;
      }
      const url = new URL(request.url ?? '/', 'http://127.0.0.1');
      if (api && (await api.handle(request, response, url))) return;
      const route = `${request.method ?? 'GET'} ${url.pathname}`;
      if (route === 'GET /sandbox/feed' && feed) return json(response, feed.status());
      if (route === 'POST /sandbox/feed/publish' && feed) return json(response, { published: feed.publishNext().length, ...feed.status() });
      // Paper ids, URL-encoded: `title%3A06e333b56dcd`, `2405.17399`.
      const thumbnail = /^\/sandbox\/thumbnails\/([\w.:%-]{1,80})\.svg$/.exec(url.pathname);
      if (request.method === 'GET' && thumbnail?.[1]) {
        response.writeHead(200, { 'content-type': 'image/svg+xml', 'cache-control': 'max-age=3600' }).end(thumbnailSvg(decodeURIComponent(thumbnail[1])));
        return;
      }
      const asset = request.method === 'GET' ? assets.get(url.pathname) : undefined;
      if (asset) {
        response.writeHead(200, { 'content-type': asset.type, 'cache-control': 'no-cache' }).end(asset.body);
        return;
      }
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    };
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 8787, '127.0.0.1', () => resolve());
    });
    closers.push(async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });
    const port = (server.address() as AddressInfo).port;
    const origin = `http://127.0.0.1:${port}`;
    guard = createPageGuard(port);
    const pageGuard = guard;

    const ackDeadlineMs = options.interactionAckDeadlineMs ?? 3_000;
    const fake = await startFakeDiscord({
      guilds: [SANDBOX_GUILD],
      bot: { id: SANDBOX_IDS.bot, username: 'Paperboy' },
      token,
      heartbeatIntervalMs: 41_250,
      interactionAckDeadlineMs: ackDeadlineMs,
    });
    closers.push(() => fake.close());
    api = createClientApi(fake, { people: SANDBOX_PEOPLE, ackWaitMs: ackDeadlineMs + 500 });
    const clientApi = api;
    closers.push(async () => clientApi.close());
    server.on('upgrade', (request, socket, head) => {
      const refused = pageGuard.check(request, 'upgrade');
      if (refused) socket.end(`HTTP/1.1 ${refused.status} Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      else if (!clientApi.handleUpgrade(request, socket, head)) socket.destroy();
    });

    const clock = { now: () => Date.now() };
    const startedFeed = await startSandboxFeed({
      seedFile: SEED_FILE,
      clock,
      intervalMs: options.feedIntervalMs === undefined ? 120_000 : options.feedIntervalMs,
      thumbnailUrl: (id) => `${origin}/sandbox/thumbnails/${encodeURIComponent(id)}.svg`,
      onPublish: () => clientApi.broadcast({ type: 'status', status: { feed: startedFeed.status() } }),
    });
    feed = startedFeed;
    closers.push(() => startedFeed.close());

    // The environment `npm start` would read, written out: the sandbox reads nothing from the shell.
    const config = loadConfig(
      {
        DISCORD_TOKEN: token,
        DISCORD_CLIENT_ID: fake.applicationId,
        DISCORD_GUILD_ID: SANDBOX_IDS.guild,
        DISCORD_API_URL: fake.apiUrl,
        STORE_URL: `sqlite://${path.join(dataDir, 'sandbox.sqlite')}`,
        INDEX_PATH: path.join(dataDir, 'sandbox.index'),
        LOG_LEVEL: logLevel,
        SOURCES: 'hf',
        HF_API_URL: startedFeed.url,
        POLL_INTERVAL: options.pollInterval ?? '2m',
      },
      { require: 'bot' },
    );
    // The fake Discord starts empty every time, so the deploy is never "unchanged": the hash of
    // the last deploy is kept in memory, not in the sandbox's store.
    await deployCommands({
      bodies: commands.map((c) => c.data),
      token,
      applicationId: fake.applicationId,
      guildId: SANDBOX_IDS.guild,
      apiUrl: fake.apiUrl,
      deployed: createMemoryStore<string>(),
    });
    let service: LibraryService | undefined;
    if (options.extraPapers?.length) {
      const opened = await openLibraryService(config, { onEvent: (event) => logServiceEvent(logger, event) });
      service = opened;
      try {
        await opened.ingest(options.extraPapers.map((p) => ({ ...p, thumbnail: `${origin}/sandbox/thumbnails/${encodeURIComponent(p.id)}.svg` })));
      } catch (error) {
        await opened.close();
        throw error;
      }
    }
    const bot = await startBot({ config, logger, ...(service ? { service } : {}) });
    closers.push(() => bot.stop(2_000));

    return {
      url: `${origin}/`,
      fake,
      feed: startedFeed,
      bot,
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

function json(response: ServerResponse, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }).end(text);
}
