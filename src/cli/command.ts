import { once } from 'node:events';
import type { CliConfigWithDiscord, Env } from '../config.js';
import type { LibraryService } from '../app/library-service.js';
import type { Progress } from './progress.js';

/** What the CLI reads and writes; the real process streams in bin/paperboy.js, PassThroughs in tests. */
export type OutStream = NodeJS.WritableStream & { isTTY?: boolean };
export type CliIo = {
  stdin: AsyncIterable<Buffer | string> & { isTTY?: boolean };
  stdout: OutStream;
  stderr: OutStream;
  env: Env;
};

export type CommandContext = {
  io: CliIo;
  /** The environment's configuration, loaded on first call; throws ConfigError. */
  config(): CliConfigWithDiscord;
  /** The library service, opened on first call (seeding an empty store); closed when the command ends. */
  openService(): Promise<LibraryService>;
  /** The one status line on stderr that progress and notices share. */
  progress: Progress;
};

export type OptionSpec = {
  type: 'string' | 'boolean';
  /** Placeholder in the usage text, for string options: "--limit N". */
  value?: string;
  help: string;
};

/**
 * One `paperboy <name>` command. The CLI's command table maps names to these; a new command
 * (deploy-commands, invite) is one more entry.
 */
export type Command = {
  /** Arguments after the name, as usage shows them: "<file>", "[query]". */
  args: string;
  summary: string;
  options: Record<string, OptionSpec>;
  positionals: { min: number; max: number };
  run(args: ParsedArgs, ctx: CommandContext): Promise<number>;
};

export type ParsedArgs = { positionals: string[]; values: Record<string, string | boolean | undefined> };

/** The command line itself is wrong: printed with the command's usage, exit status 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * Exit statuses: 2 when the command line cannot be understood (an unknown command or option, a
 * bad option value, a malformed query or paper id), 1 when it was understood but failed (a file
 * that cannot be read or imported, a paper not in the library, the environment, the store).
 */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

/** Every error the CLI prints has this shape, whatever its exit status: `paperboy: <message>`, then the hint. */
export function formatError(message: string, hint?: string): string {
  return `paperboy: ${message}\n${hint ? `${hint}\n` : ''}`;
}

/** Writes and waits when the stream's buffer is full, so a slow reader of stdout throttles us. */
export async function write(stream: OutStream, text: string): Promise<void> {
  if (!stream.write(text)) await once(stream, 'drain');
}
