import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { z } from 'zod';
import { parseByteSize } from './feeds/byte-size.js';
import { DEFAULT_SOURCE_URLS, type SourceSettings } from './feeds/fetch-all.js';
import { DEFAULT_MAX_BYTES } from './feeds/http-fetch.js';
import { checkArxivCategories, SOURCE_NAMES, type SourceName } from './feeds/source.js';
import { parsePollInterval, type PollSchedule } from './core/poll-interval.js';

/**
 * The environment, read in one place through one schema per program. A bad value stops start-up
 * with the key's name and what would fix it; the value itself is never printed, because
 * STORE_URL (and later DISCORD_TOKEN) can hold a password.
 *
 * Every key is documented in .env.example; test/config.test.ts checks the two list the same keys.
 * A key set to the empty string counts as unset, as `KEY=` in a copied .env file usually means.
 */

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const DEFAULT_STORE_URL = 'sqlite://data/paperboy.sqlite';
export const DEFAULT_INDEX_PATH = 'data/paperboy.index';

/** The schemes openStorage understands (src/storage/open-storage.ts). */
const STORE_SCHEMES = /^(?:sqlite|redis|rediss|postgres|postgresql):\/\/./i;

export type Env = Record<string, string | undefined>;

const blankIsUnset = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value);

// Messages name what is wrong, never the value (zod's own messages can quote the input).
const sharedKeys = {
  STORE_URL: z.preprocess(
    blankIsUnset,
    z
      .string()
      .regex(STORE_SCHEMES, { error: 'must start with sqlite://, redis:// or postgres:// followed by a path or host' })
      .default(DEFAULT_STORE_URL),
  ),
  INDEX_PATH: z.preprocess(
    blankIsUnset,
    z
      .string()
      .refine((p) => !p.includes('\0') && !/[\\/]$/.test(p), { error: 'must be a file path (not a directory)' })
      .default(DEFAULT_INDEX_PATH),
  ),
  LOG_LEVEL: z.preprocess(
    (value) => {
      const level = blankIsUnset(value);
      return typeof level === 'string' ? level.trim().toLowerCase() : level;
    },
    z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }).default('info'),
  ),
};

// Optional keys wrap `.optional()` inside the preprocess: "KEY=" in .env becomes undefined first.
const snowflake = (what: string) =>
  z.preprocess(blankIsUnset, z.string().regex(/^\d{17,20}$/, { error: `must be the ${what} id (a number of 17–20 digits)` }).optional());

const botToken = z
  .string({ error: 'missing: create a bot in the Discord developer portal (Bot page) and put its token here' })
  .regex(/^[\w.-]{20,}$/, { error: 'does not look like a bot token (copy it again from the developer portal, Bot page)' });

const discordKeys = {
  DISCORD_CLIENT_ID: snowflake('application (client)'),
  DISCORD_GUILD_ID: snowflake('server (guild)'),
  DISCORD_API_URL: z.preprocess(
    blankIsUnset,
    z
      .url({ protocol: /^https?$/, error: 'must be an http(s) URL like http://127.0.0.1:8080/api (without /v10)' })
      .refine((u) => !/\/v\d+\/?$/.test(u), { error: 'must not end in a version (/v10): discord.js adds it' })
      .optional(),
  ),
};

const commaList = (value: string) =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);

const sourceUrl = (fallback: string) =>
  z.preprocess(
    blankIsUnset,
    z
      .url({ protocol: /^https?$/, error: 'must be an http(s) URL (the base, e.g. https://huggingface.co)' })
      .default(fallback)
      .transform((url) => url.replace(/\/+$/, '')),
  );

/** Only the bot fetches on a schedule; the CLI imports files and ignores these. */
const scheduleKeys = {
  SOURCES: z.preprocess(
    blankIsUnset,
    z
      .string()
      .default('hf')
      .transform((value, context) => {
        const names = [...new Set(commaList(value.toLowerCase()))];
        if (names.length === 0 || !names.every((n): n is SourceName => (SOURCE_NAMES as readonly string[]).includes(n))) {
          context.addIssue({ code: 'custom', message: `must list sources out of ${SOURCE_NAMES.join(', ')}, separated by commas` });
          return z.NEVER;
        }
        return names;
      }),
  ),
  ARXIV_CATEGORIES: z.preprocess(
    blankIsUnset,
    z
      .string()
      .default('cs.CL,cs.LG,cs.AI')
      .transform((value, context) => {
        try {
          return checkArxivCategories(commaList(value));
        } catch {
          context.addIssue({ code: 'custom', message: 'must be arXiv categories separated by commas, e.g. cs.CL,cs.LG' });
          return z.NEVER;
        }
      }),
  ),
  HF_API_URL: sourceUrl(DEFAULT_SOURCE_URLS.hf),
  ARXIV_API_URL: sourceUrl(DEFAULT_SOURCE_URLS.arxiv),
  ARXIV_RSS_URL: sourceUrl(DEFAULT_SOURCE_URLS.rss),
  HF_DAYS: z.preprocess(
    blankIsUnset,
    z.coerce.number().int().min(1).max(30).default(3).catch(() => NaN).pipe(z.number({ error: 'must be a whole number of days from 1 to 30' })),
  ),
  FEED_MAX_BYTES: z.preprocess(
    blankIsUnset,
    z
      .string()
      .default(String(DEFAULT_MAX_BYTES))
      .transform((value, context) => {
        const bytes = (() => {
          try {
            return parseByteSize(value);
          } catch {
            return Number.NaN;
          }
        })();
        // Below 64 KB not even one HF day fits; above 256 MB the body no longer fits a V8 string
        // once decoded (and parsing it holds several times that), so the limit would not protect.
        if (!(bytes >= 64 * 1024 && bytes <= 256 * 1024 ** 2)) {
          context.addIssue({ code: 'custom', message: 'must be a size from 64KB to 256MB, like 10MB or 512KB' });
          return z.NEVER;
        }
        return bytes;
      }),
  ),
  POLL_INTERVAL: z.preprocess(
    blankIsUnset,
    z
      .string()
      .default('30m')
      .transform((value, context) => {
        try {
          return parsePollInterval(value);
        } catch (error) {
          context.addIssue({ code: 'custom', message: (error as Error).message });
          return z.NEVER;
        }
      }),
  ),
};

const MAX_CLUSTERS = 64;
const MAX_SHARDS = 4096;

const CLUSTERS_MESSAGE = `must be a whole number of processes from 1 to ${MAX_CLUSTERS}`;
const SHARDS_MESSAGE = `must be auto (Discord's recommendation) or a whole number of shards from 1 to ${MAX_SHARDS}`;

/** Plain decimal digits become a number; anything else stays text and fails (Number() would take `0x10`, `1e3`). */
function decimalOrText(value: unknown): unknown {
  const text = blankIsUnset(value);
  if (typeof text !== 'string') return text;
  const trimmed = text.trim().toLowerCase();
  return /^\d{1,9}$/.test(trimmed) ? Number(trimmed) : trimmed;
}

/**
 * Scale-out (README "Scaling out"): CLUSTERS starts a manager running that many bot processes;
 * SHARDS is the gateway shard count they share out (`auto`: Discord's recommendation from
 * GET /gateway/bot). Both unset: one process, one shard, as for a small bot.
 */
const scaleKeys = {
  CLUSTERS: z.preprocess(decimalOrText, z.number(CLUSTERS_MESSAGE).int(CLUSTERS_MESSAGE).min(1, CLUSTERS_MESSAGE).max(MAX_CLUSTERS, CLUSTERS_MESSAGE).optional()),
  SHARDS: z.preprocess(
    decimalOrText,
    z.union([z.literal('auto'), z.number().int(SHARDS_MESSAGE).min(1, SHARDS_MESSAGE).max(MAX_SHARDS, SHARDS_MESSAGE)], { error: SHARDS_MESSAGE }).optional(),
  ),
};

/**
 * INDEX_SYNC_INTERVAL: how often a process on a shared store applies the library's change log to
 * its search index (app/index-follower.ts): from 250ms (one read of the revision each time, per
 * process) to 60s (a paper the ingestion leader merged is searchable on every shard within that).
 */
const INDEX_SYNC_MS = { min: 250, max: 60_000 } as const;
const indexSyncKeys = {
  INDEX_SYNC_INTERVAL: z.preprocess(
    blankIsUnset,
    z
      .string()
      .default('3s')
      .transform((value, context) => {
        const match = /^(\d{1,6})(ms|s)$/.exec(value.trim().toLowerCase());
        const ms = match ? Number(match[1]) * (match[2] === 's' ? 1000 : 1) : Number.NaN;
        if (!(ms >= INDEX_SYNC_MS.min && ms <= INDEX_SYNC_MS.max)) {
          context.addIssue({ code: 'custom', message: 'must be a duration from 250ms to 60s, like 3s or 500ms' });
          return z.NEVER;
        }
        return ms;
      }),
  ),
};

// The CLI runs without a token; deploy-commands checks for it itself.
const cliEnvSchema = z.object({ ...sharedKeys, ...discordKeys, DISCORD_TOKEN: z.preprocess(blankIsUnset, botToken.optional()) });
const botEnvSchema = z
  .object({ ...sharedKeys, ...discordKeys, ...scheduleKeys, ...scaleKeys, ...indexSyncKeys, DISCORD_TOKEN: z.preprocess(blankIsUnset, botToken) })
  .superRefine((env, context) => {
    // Every cluster needs at least one shard; Discord accepts more shards than it recommends.
    if (env.CLUSTERS !== undefined && typeof env.SHARDS === 'number' && env.SHARDS < env.CLUSTERS) {
      context.addIssue({ code: 'custom', path: ['SHARDS'], message: 'must be at least CLUSTERS (each process runs one shard or more)' });
    }
    // SQLite is the store of one process: every process would lead ingestion and fetch (ingest-leader.ts).
    if (env.CLUSTERS !== undefined && env.CLUSTERS > 1 && /^sqlite:/i.test(env.STORE_URL)) {
      context.addIssue({ code: 'custom', path: ['CLUSTERS'], message: 'more than one process needs a shared store: set STORE_URL to postgres:// or redis://' });
    }
  });

type CliEnv = z.output<typeof cliEnvSchema>;
type BotEnv = z.output<typeof botEnvSchema>;

export type CliConfig = {
  /** Where the library lives: sqlite://path (relative to the working directory), redis://…, postgres://…. */
  storeUrl: string;
  /** The search index snapshot file (relative to the working directory). */
  indexPath: string;
  logLevel: LogLevel;
};
/** Discord settings; the CLI reads them too (deploy-commands, invite) but needs them only there. */
export type DiscordConfig = {
  token?: string;
  clientId?: string;
  /** Deploy commands to this server only (instant, for development) instead of globally. */
  guildId?: string;
  /** Base URL of Discord's API without the version, for a proxy or the tests' fake Discord. */
  apiUrl?: string;
};
/** Where new papers come from and how often the bot looks (the scheduler of topic channels). */
export type ScheduleConfig = {
  sources: SourceSettings & { sources: SourceName[]; hfDays: number; maxBytes: number };
  pollInterval: PollSchedule;
  /** On a shared store: ms between catch-ups of the search index with the library (INDEX_SYNC_INTERVAL). */
  indexSyncMs: number;
};
/**
 * Processes and gateway shards. `clusters` unset: one process, no manager (it then runs all
 * `shards` itself). `shards` unset: 1 without clusters, Discord's recommendation with them.
 */
export type ScaleConfig = { clusters?: number; shards?: number | 'auto' };
export type BotConfig = CliConfig & { discord: DiscordConfig & { token: string }; schedule: ScheduleConfig; scale: ScaleConfig };
export type CliConfigWithDiscord = CliConfig & { discord: DiscordConfig };

const PROGRAMS = {
  cli: { schema: cliEnvSchema, build: (env: CliEnv): CliConfigWithDiscord => ({ ...fromSharedKeys(env), discord: discordOf(env) }) },
  bot: {
    schema: botEnvSchema,
    build: (env: BotEnv): BotConfig => ({
      ...fromSharedKeys(env),
      discord: { ...discordOf(env), token: env.DISCORD_TOKEN },
      schedule: {
        sources: {
          sources: env.SOURCES,
          arxivCategories: env.ARXIV_CATEGORIES,
          hfApiUrl: env.HF_API_URL,
          arxivApiUrl: env.ARXIV_API_URL,
          arxivRssUrl: env.ARXIV_RSS_URL,
          hfDays: env.HF_DAYS,
          maxBytes: env.FEED_MAX_BYTES,
        },
        pollInterval: env.POLL_INTERVAL,
        indexSyncMs: env.INDEX_SYNC_INTERVAL,
      },
      scale: {
        ...(env.CLUSTERS !== undefined ? { clusters: env.CLUSTERS } : {}),
        ...(env.SHARDS !== undefined ? { shards: env.SHARDS } : {}),
      },
    }),
  },
} as const;

function discordOf(env: CliEnv | BotEnv): DiscordConfig {
  const discord: DiscordConfig = {};
  if (env.DISCORD_TOKEN) discord.token = env.DISCORD_TOKEN;
  if (env.DISCORD_CLIENT_ID) discord.clientId = env.DISCORD_CLIENT_ID;
  if (env.DISCORD_GUILD_ID) discord.guildId = env.DISCORD_GUILD_ID;
  if (env.DISCORD_API_URL) discord.apiUrl = env.DISCORD_API_URL.replace(/\/+$/, '');
  return discord;
}

export type ConfigProgram = keyof typeof PROGRAMS;
export type ConfigFor<P extends ConfigProgram> = ReturnType<(typeof PROGRAMS)[P]['build']>;

function fromSharedKeys(env: CliEnv): CliConfig {
  return { storeUrl: env.STORE_URL, indexPath: env.INDEX_PATH, logLevel: env.LOG_LEVEL };
}

/** A key of the environment is missing or malformed. The message names keys only, never values. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * The configuration of one program (`cli` or `bot`) from an environment. Throws ConfigError
 * listing every bad key, e.g. `STORE_URL: must start with sqlite://, … (see .env.example)`.
 */
export function loadConfig<P extends ConfigProgram>(env: Env, options: { require: P }): ConfigFor<P> {
  const program = PROGRAMS[options.require];
  const parsed = program.schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'environment'}: ${issue.message}`);
    throw new ConfigError(`${[...new Set(problems)].join('; ')} (see .env.example)`);
  }
  return (program.build as (env: unknown) => ConfigFor<P>)(parsed.data);
}

/** Every key any program reads, for the .env.example check and for documentation. */
export function configKeys(): string[] {
  const keys = new Set<string>();
  for (const { schema } of Object.values(PROGRAMS)) for (const key of Object.keys(schema.shape)) keys.add(key);
  return [...keys].sort();
}

/**
 * The process environment over the `.env` file of the working directory, if there is one:
 * a variable set in the shell wins over the file, so `STORE_URL=… paperboy stats` works as expected.
 */
export function readEnvironment(cwd: string = process.cwd()): Env {
  const file = path.join(cwd, '.env');
  const fromFile = existsSync(file) ? parseEnv(readFileSync(file, 'utf8')) : {};
  return { ...fromFile, ...process.env };
}

/** A store URL safe to print: user and password removed (`redis://user:pw@host` → `redis://host`). */
export function redactStoreUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i, '$1');
}
