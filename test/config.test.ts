import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ConfigError,
  configKeys,
  DEFAULT_INDEX_PATH,
  DEFAULT_STORE_URL,
  loadConfig,
  readEnvironment,
  redactStoreUrl,
} from '../src/config.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env, { require: 'cli' });
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('given an empty environment, uses the defaults', () => {
    expect(loadConfig({}, { require: 'cli' })).toEqual({
      storeUrl: DEFAULT_STORE_URL,
      indexPath: DEFAULT_INDEX_PATH,
      logLevel: 'info',
      discord: {},
    });
  });

  it('treats a key set to the empty string as unset, as in a copied .env with blanks', () => {
    const token = { DISCORD_TOKEN: 'MTIzNDU2Nzg5MDEyMzQ1Njc4.Gabcde.fghijklmnopqrstuvwxyz012345' };
    expect(loadConfig({ ...token, STORE_URL: '', INDEX_PATH: ' ', LOG_LEVEL: '', DISCORD_GUILD_ID: '' }, { require: 'bot' })).toEqual(
      loadConfig(token, { require: 'bot' }),
    );
  });

  it('reads every key and accepts a log level in any case', () => {
    const config = loadConfig(
      { STORE_URL: 'redis://localhost:6379', INDEX_PATH: '/var/lib/paperboy/index', LOG_LEVEL: 'DEBUG', PATH: '/usr/bin' },
      { require: 'cli' },
    );
    expect(config).toEqual({ storeUrl: 'redis://localhost:6379', indexPath: '/var/lib/paperboy/index', logLevel: 'debug', discord: {} });
  });

  it('names the bad key and how to fix it, without printing the value', () => {
    const secret = 'mysql://admin:hunter2@db.internal/papers';
    const error = configError({ STORE_URL: secret });
    expect(error.message).toMatch(/^STORE_URL: must start with sqlite:\/\/, redis:\/\/ or postgres:\/\/.*\(see \.env\.example\)$/);
    expect(error.message).not.toContain('hunter2');
    expect(error.message).not.toContain('mysql');
  });

  it('lists every bad key in one message', () => {
    const error = configError({ STORE_URL: 'sqlite://', LOG_LEVEL: 'verbose-secret-ish' });
    expect(error.message).toContain('STORE_URL:');
    expect(error.message).toContain('LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace');
    expect(error.message).not.toContain('verbose-secret-ish');
  });

  it('rejects a directory as the index path', () => {
    expect(configError({ INDEX_PATH: 'data/' }).message).toMatch(/^INDEX_PATH: must be a file path/);
  });
});

describe('.env.example', () => {
  it('lists exactly the keys the schemas read', () => {
    const text = readFileSync(path.join(repoRoot, '.env.example'), 'utf8');
    const keys = [...text.matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]);
    expect(keys.sort()).toEqual(configKeys());
  });

  it('documents every key with a comment above it', () => {
    const lines = readFileSync(path.join(repoRoot, '.env.example'), 'utf8').split('\n');
    lines.forEach((line, i) => {
      if (/^[A-Z]/.test(line)) expect(lines[i - 1], `comment above ${line}`).toMatch(/^#/);
    });
  });

  it('loads as a valid configuration as it stands, and the bot asks only for the token', () => {
    const text = readFileSync(path.join(repoRoot, '.env.example'), 'utf8');
    const env = Object.fromEntries([...text.matchAll(/^([A-Z][A-Z0-9_]*)=(.*)$/gm)].map((m) => [m[1]!, m[2]!]));
    expect(() => loadConfig(env, { require: 'cli' })).not.toThrow();
    expect(() => loadConfig(env, { require: 'bot' })).toThrow(/^DISCORD_TOKEN: missing: create a bot/);
  });
});

describe('Discord settings', () => {
  const token = 'MTIzNDU2Nzg5MDEyMzQ1Njc4.Gabcde.fghijklmnopqrstuvwxyz012345';

  it('reads the token, ids and API URL for the bot without printing the token when it is bad', () => {
    const config = loadConfig(
      { DISCORD_TOKEN: token, DISCORD_CLIENT_ID: '123456789012345678', DISCORD_GUILD_ID: '223456789012345678', DISCORD_API_URL: 'http://127.0.0.1:9999/api/' },
      { require: 'bot' },
    );
    expect(config.discord).toEqual({ token, clientId: '123456789012345678', guildId: '223456789012345678', apiUrl: 'http://127.0.0.1:9999/api' });
    let message = '';
    try {
      loadConfig({ DISCORD_TOKEN: 'has spaces in it and is secret' }, { require: 'bot' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^DISCORD_TOKEN: does not look like a bot token/);
    expect(message).not.toContain('secret');
  });

  it('names a malformed id or an API URL with a version', () => {
    expect(() => loadConfig({ DISCORD_TOKEN: token, DISCORD_GUILD_ID: 'my-server' }, { require: 'bot' })).toThrow(/^DISCORD_GUILD_ID: must be the server/);
    expect(() => loadConfig({ DISCORD_TOKEN: token, DISCORD_API_URL: 'http://localhost:1/api/v10' }, { require: 'bot' })).toThrow(/^DISCORD_API_URL: must not end in a version/);
  });
});

describe('readEnvironment', () => {
  let dir: string | undefined;
  afterEach(async () => {
    delete process.env.PAPERBOY_TEST_SHELL;
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('reads .env from the directory and lets the shell environment win', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'paperboy-env-'));
    await writeFile(path.join(dir, '.env'), 'PAPERBOY_TEST_FILE=from-file\nPAPERBOY_TEST_SHELL=from-file\n');
    process.env.PAPERBOY_TEST_SHELL = 'from-shell';
    const env = readEnvironment(dir);
    expect(env.PAPERBOY_TEST_FILE).toBe('from-file');
    expect(env.PAPERBOY_TEST_SHELL).toBe('from-shell');
  });

  it('works without a .env file', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'paperboy-env-'));
    expect(readEnvironment(dir).PAPERBOY_TEST_FILE).toBeUndefined();
  });
});

describe('redactStoreUrl', () => {
  it('removes user and password and keeps the rest', () => {
    expect(redactStoreUrl('redis://user:s3cret@cache:6379/0')).toBe('redis://cache:6379/0');
    expect(redactStoreUrl('postgres://paperboy:p%40ss@db/papers?ssl=true')).toBe('postgres://db/papers?ssl=true');
    expect(redactStoreUrl('sqlite://data/paperboy.sqlite')).toBe('sqlite://data/paperboy.sqlite');
  });
});

describe('topic schedule settings (bot only)', () => {
  const token = 'MTIzNDU2Nzg5MDEyMzQ1Njc4.Gabcde.fghijklmnopqrstuvwxyz012345';
  const bot = (env: Record<string, string>) => loadConfig({ DISCORD_TOKEN: token, ...env }, { require: 'bot' });

  it('given nothing set, fetches Hugging Face for cs.CL, cs.LG and cs.AI every 30 minutes from the real hosts', () => {
    expect(bot({}).schedule).toEqual({
      sources: {
        sources: ['hf'],
        arxivCategories: ['cs.CL', 'cs.LG', 'cs.AI'],
        hfApiUrl: 'https://huggingface.co',
        arxivApiUrl: 'https://export.arxiv.org',
        arxivRssUrl: 'https://rss.arxiv.org',
        hfDays: 3,
        maxBytes: 10 * 1024 * 1024,
      },
      pollInterval: { kind: 'every', ms: 30 * 60_000, text: '30m' },
      indexSyncMs: 3_000,
    });
  });

  it('reads INDEX_SYNC_INTERVAL in ms or s within 250ms–60s, and names the key of a bad one', () => {
    expect(bot({ INDEX_SYNC_INTERVAL: '500ms' }).schedule.indexSyncMs).toBe(500);
    expect(bot({ INDEX_SYNC_INTERVAL: ' 10S ' }).schedule.indexSyncMs).toBe(10_000);
    for (const bad of ['100ms', '2m', '61s', 'soon', '-1s']) {
      expect(() => bot({ INDEX_SYNC_INTERVAL: bad })).toThrow(/INDEX_SYNC_INTERVAL: must be a duration from 250ms to 60s/);
    }
  });

  it('reads sources, categories, base URLs, days and a cron schedule', () => {
    const schedule = bot({
      SOURCES: 'hf, arxiv,RSS',
      ARXIV_CATEGORIES: 'cs.CL, stat.ML',
      HF_API_URL: 'http://127.0.0.1:8081/',
      ARXIV_API_URL: 'http://mirror.example/arxiv',
      ARXIV_RSS_URL: 'http://mirror.example/rss/',
      HF_DAYS: '5',
      POLL_INTERVAL: '0 */2 * * *',
      FEED_MAX_BYTES: '20MB',
    }).schedule;
    expect(schedule.sources).toEqual({
      sources: ['hf', 'arxiv', 'rss'],
      arxivCategories: ['cs.CL', 'stat.ML'],
      hfApiUrl: 'http://127.0.0.1:8081',
      arxivApiUrl: 'http://mirror.example/arxiv',
      arxivRssUrl: 'http://mirror.example/rss',
      hfDays: 5,
      maxBytes: 20 * 1024 * 1024,
    });
    expect(schedule.pollInterval).toEqual({ kind: 'cron', pattern: '0 */2 * * *', text: '0 */2 * * *' });
  });

  it('names the key of a bad value', () => {
    expect(() => bot({ POLL_INTERVAL: '10s' })).toThrow(/^POLL_INTERVAL: must be at least 60s/);
    expect(() => bot({ POLL_INTERVAL: 'hourly-ish' })).toThrow(/^POLL_INTERVAL: must be a duration like 90s/);
    expect(() => bot({ SOURCES: 'hf,twitter' })).toThrow(/^SOURCES: must list sources out of hf, arxiv, rss/);
    expect(() => bot({ ARXIV_CATEGORIES: 'cs.CL,not a category' })).toThrow(/^ARXIV_CATEGORIES: must be arXiv categories/);
    expect(() => bot({ HF_API_URL: 'ftp://mirror' })).toThrow(/^HF_API_URL: must be an http\(s\) URL/);
    expect(() => bot({ HF_DAYS: '0' })).toThrow(/^HF_DAYS: must be a whole number of days from 1 to 30/);
    expect(() => bot({ FEED_MAX_BYTES: 'lots' })).toThrow(/^FEED_MAX_BYTES: must be a size from 64KB to 256MB, like 10MB/);
    expect(() => bot({ FEED_MAX_BYTES: '1KB' })).toThrow(/^FEED_MAX_BYTES: must be a size from 64KB to 256MB/);
  });

  it('reads FEED_MAX_BYTES in bytes, KB, MB or GB (binary units)', () => {
    expect(bot({ FEED_MAX_BYTES: '512 kb' }).schedule.sources.maxBytes).toBe(512 * 1024);
    expect(bot({ FEED_MAX_BYTES: '1.5MB' }).schedule.sources.maxBytes).toBe(1.5 * 1024 * 1024);
    expect(bot({ FEED_MAX_BYTES: '2000000' }).schedule.sources.maxBytes).toBe(2_000_000);
  });
});
