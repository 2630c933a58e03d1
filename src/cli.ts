import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { ConfigError, loadConfig, readEnvironment, type CliConfigWithDiscord } from './config.js';
import { UserFacingError } from './core/errors.js';
import { ImportFormatError } from './core/parsers/import-result.js';
import { openLibraryService, type LibraryService, type ServiceEvent } from './app/library-service.js';
import { StorageError } from './storage/open-storage.js';
import {
  EXIT,
  formatError,
  UsageError,
  write,
  type CliIo,
  type Command,
  type CommandContext,
  type ParsedArgs,
} from './cli/command.js';
import { formatCount } from './cli/format.js';
import { importCommand } from './cli/import-command.js';
import { migrateCommand } from './cli/migrate-command.js';
import { nearestName } from './cli/nearest-name.js';
import { createProgress, type Progress } from './cli/progress.js';
import { searchCommand } from './cli/search-command.js';
import { showCommand } from './cli/show-command.js';
import { statsCommand } from './cli/stats-command.js';
import { deployCommandsCommand, inviteCommand } from './cli/discord-commands.js';

/**
 * `paperboy`, the command line. Each command is an entry in COMMANDS; this file parses the
 * command line, loads the config, runs the command and turns failures into one `paperboy: …`
 * line and an exit status (EXIT: 0 ok, 1 failure, 2 bad usage or query). Output goes through the
 * given streams only.
 */

const helpCommand: Command = {
  args: '[command]',
  summary: 'this text, or one command’s options',
  options: {},
  positionals: { min: 0, max: 1 },
  async run({ positionals }, ctx) {
    const name = positionals[0];
    if (name === undefined) {
      await write(ctx.io.stdout, usage());
      return EXIT.ok;
    }
    const command = findCommand(name);
    if (!command) {
      await write(ctx.io.stderr, `${formatError(unknownCommand(name))}\n${usage()}`);
      return EXIT.usage;
    }
    await write(ctx.io.stdout, commandUsage(name, command));
    return EXIT.ok;
  },
};

const COMMANDS = {
  import: importCommand,
  search: searchCommand,
  show: showCommand,
  stats: statsCommand,
  'deploy-commands': deployCommandsCommand,
  invite: inviteCommand,
  migrate: migrateCommand,
  help: helpCommand,
} as const satisfies Record<string, Command>;

function findCommand(name: string): Command | undefined {
  return Object.hasOwn(COMMANDS, name) ? COMMANDS[name as keyof typeof COMMANDS] : undefined;
}

function unknownCommand(name: string): string {
  const nearest = nearestName(name, Object.keys(COMMANDS));
  return `unknown command ${name}${nearest ? `; did you mean ${nearest}?` : ''}`;
}

export function usage(): string {
  const lines = ['usage: paperboy <command> [options]', '', 'commands:'];
  for (const [name, command] of Object.entries(COMMANDS)) {
    lines.push(`  ${`${name} ${command.args}`.trimEnd().padEnd(22)} ${command.summary}`);
    for (const [option, spec] of Object.entries(command.options)) lines.push(`    ${optionLine(option, spec)}`);
  }
  lines.push(
    '',
    'query syntax: free words, "a phrase", author:name, cat:cs.CL, after:2024-06, before:2025-01-01,',
    '              year:2025, has:code, arXiv ids and URLs',
    '',
    'environment (or a .env file in the working directory; see .env.example):',
    '  STORE_URL    where the library lives (default sqlite://data/paperboy.sqlite)',
    '  INDEX_PATH   search index snapshot file (default data/paperboy.index)',
    '  LOG_LEVEL    fatal, error, warn, info (default), debug or trace; debug prints stack traces',
    '  DISCORD_TOKEN, DISCORD_CLIENT_ID, DISCORD_GUILD_ID, DISCORD_API_URL   for deploy-commands and invite',
    '',
    'exit status: 0 ok, 1 failure, 2 bad usage (unknown command or option, bad value, malformed query or id)',
  );
  return `${lines.join('\n')}\n`;
}

function commandUsage(name: string, command: Command): string {
  const options = Object.entries(command.options);
  const synopsis = `paperboy ${name} ${command.args}`.trimEnd() + (options.length > 0 ? ' [options]' : '');
  const lines = [`usage: ${synopsis}`, '', command.summary];
  if (options.length > 0) lines.push('', ...options.map(([option, spec]) => optionLine(option, spec)));
  return `${lines.join('\n')}\n`;
}

function optionLine(name: string, spec: Command['options'][string]): string {
  const label = spec.type === 'string' ? `--${name} ${spec.value ?? 'VALUE'}` : `--${name}`;
  return `  ${label.padEnd(18)} ${spec.help}`;
}

function parseCommandArgs(command: Command, argv: string[]): ParsedArgs & { help: boolean } {
  const options = {
    ...Object.fromEntries(Object.entries(command.options).map(([k, v]) => [k, { type: v.type }])),
    help: { type: 'boolean', short: 'h' },
  } as const;
  // A lenient pass first, to name an unknown option with the nearest known one; node:util's
  // strict error names it but suggests nothing.
  const { tokens } = parseArgs({ args: argv, options, allowPositionals: true, strict: false, tokens: true });
  for (const token of tokens) {
    if (token.kind === 'option' && !Object.hasOwn(options, token.name)) {
      const nearest = nearestName(token.name, Object.keys(options));
      throw new UsageError(`unknown option ${token.rawName}${nearest ? `; did you mean --${nearest}?` : ''}`);
    }
  }
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    // node:util's messages run on with advice about '--'; the first sentence is the useful part.
    throw new UsageError((error as Error).message.split(/\.\s/)[0]!.replace(/\.$/, ''));
  }
  const { help, ...values } = parsed.values as Record<string, string | boolean | undefined>;
  const n = parsed.positionals.length;
  if (help !== true && (n < command.positionals.min || n > command.positionals.max)) {
    throw new UsageError(
      n < command.positionals.min
        ? `missing ${command.args}`
        : `unexpected argument "${parsed.positionals[command.positionals.max]}"`,
    );
  }
  return { positionals: parsed.positionals, values, help: help === true };
}

/** Runs one command line and returns the exit status; never throws. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  let name = argv[0];
  if (name === undefined) {
    await write(io.stderr, usage());
    return EXIT.usage;
  }
  if (name === '--help' || name === '-h') name = 'help';
  const command = findCommand(name);
  if (!command) {
    await write(io.stderr, `${formatError(unknownCommand(name))}\n${usage()}`);
    return EXIT.usage;
  }

  const progress = createProgress(io.stderr);
  let service: Promise<LibraryService> | undefined;
  // Loaded on first use, so `help` works with a broken environment.
  let config: CliConfigWithDiscord | undefined;
  const getConfig = () => (config ??= loadConfig(io.env, { require: 'cli' }));
  try {
    const args = parseCommandArgs(command, argv.slice(1));
    if (args.help) {
      await write(io.stdout, commandUsage(name, command));
      return EXIT.ok;
    }
    const ctx: CommandContext = {
      io,
      config: getConfig,
      progress,
      openService: () =>
        (service ??= openLibraryService(getConfig(), { onEvent: (event) => reportEvent(event, progress) })),
    };
    return await command.run(args, ctx);
  } catch (error) {
    progress.clear();
    return await reportError(error, name, command, io, config);
  } finally {
    progress.clear();
    if (service) await service.then((s) => s.close()).catch(() => undefined);
  }
}

function reportEvent(event: ServiceEvent, progress: Progress): void {
  switch (event.type) {
    case 'seed':
      progress.note('the library is empty: importing the bundled sample papers first');
      return;
    case 'index-build':
      progress.note(`building the search index over ${formatCount(event.papers)} papers (${event.reason})`);
      return;
    case 'index-progress': {
      // Two passes over the library: counting abstract terms, then indexing.
      const pass = event.pass === 'count' ? 1 : 2;
      const fraction = event.total > 0 ? (pass - 1 + event.done / event.total) / 2 : undefined;
      progress.show(`indexing  pass ${pass}/2  ${formatCount(event.done)} of ${formatCount(event.total)} papers`, fraction);
      return;
    }
  }
}

async function reportError(
  error: unknown,
  name: string,
  command: Command,
  io: CliIo,
  config: CliConfigWithDiscord | undefined,
): Promise<number> {
  if (error instanceof UsageError) {
    await write(io.stderr, `${formatError(error.message)}${commandUsage(name, command)}`);
    return EXIT.usage;
  }
  // Expected failures whose messages are written to be shown: one line (and a hint), no stack.
  // A UserFacingError reaching here is about a file or the library, not the command line (the
  // search command answers a malformed query itself, with EXIT.usage).
  if (error instanceof UserFacingError) {
    await write(io.stderr, formatError(error.message, error.hint));
    return EXIT.failure;
  }
  if (error instanceof ConfigError || error instanceof ImportFormatError || error instanceof StorageError) {
    await write(io.stderr, formatError(error.message));
    return EXIT.failure;
  }
  const debug = config?.logLevel === 'debug' || config?.logLevel === 'trace';
  const stack = error instanceof Error && error.stack ? error.stack : String(error);
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  const line = debug ? stack : `${message} (LOG_LEVEL=debug shows the stack trace)`;
  await write(io.stderr, formatError(`unexpected error: ${line}`));
  return EXIT.failure;
}

/** The process entry point (bin/paperboy.js, `npm run cli`). */
export async function main(): Promise<void> {
  // `paperboy search … | head` closes stdout early; that is the reader being done, not an error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
  process.exitCode = await runCli(process.argv.slice(2), {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    env: readEnvironment(),
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
