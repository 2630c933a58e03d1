import pino, { type Logger } from 'pino';
import type { LogLevel } from './config.js';

export type { Logger };

/**
 * Structured logs (JSON lines on stdout, fields first: `logger.info({ command, durationMs }, 'command done')`).
 * Secrets never reach them: the bot token by key, interaction and webhook tokens by their
 * place in URLs (discord.js errors carry the request URL, and an interaction token in it is a
 * 15-minute credential to answer as the bot).
 */
export function createLogger(level: LogLevel, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { app: 'paperboy' },
      redact: {
        paths: ['token', '*.token', 'discord.token', '*.discord.token', 'headers.authorization', '*.headers.authorization', 'authorization'],
        censor: '[redacted]',
      },
      serializers: { err: serializeError, error: serializeError },
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}

const SECRET_IN_URL = /(\/(?:interactions\/\d+|webhooks\/\d+))\/[^/\s?"']+/g;

/** Remove interaction/webhook tokens from any text (URLs in error messages, stacks). */
export function scrubSecrets(text: string): string {
  return text.replace(SECRET_IN_URL, '$1/[redacted]');
}

function serializeError(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const plain = pino.stdSerializers.err(error) as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(plain)) {
    if (typeof value === 'string') plain[key] = scrubSecrets(value);
  }
  delete plain.requestBody; // DiscordAPIError carries the request body: user text and attachments
  return plain;
}
