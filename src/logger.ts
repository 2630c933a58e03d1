import pino, { type Logger } from 'pino';
import type { LogLevel } from './config.js';

export type { Logger };

/**
 * Structured logs (JSON lines on stdout, fields first: `logger.info({ command, durationMs }, 'command done')`).
 * Secrets never reach them, wherever they sit in a line: pino's `redact` with the top-level
 * wildcard hands every field and every child logger binding, after the serializers (errors become
 * type, message, stack with their causes appended, own fields), to scrubValue as its censor;
 * `hooks.logMethod` scrubs the message. Fixed redact paths would not do: they cannot say "at any
 * depth". What counts as a secret:
 * - a field named like a credential (token, password, authorization, cookie, api key…), any depth;
 * - in text: user-info of URLs (`postgres://user:pass@host`, `redis://:pass@host`), credential
 *   query parameters (`?token=`), interaction and webhook tokens in Discord URL paths (a 15-minute
 *   credential to answer as the bot; discord.js errors carry the request URL), `Bot …`/`Bearer …`
 *   header values and anything shaped like a bot token or JWT (three base64url parts).
 * Values are walked to a bounded depth, width and length, so a cyclic or huge object costs a
 * marker in the line instead of hanging the process.
 */
export function createLogger(level: LogLevel, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { app: 'paperboy' },
      // '*' is each top-level key of a line and of a child's bindings (pino calls the censor for both).
      redact: { paths: ['*'], censor: (value: unknown) => scrubValue(value) },
      serializers: { err: serializeError, error: serializeError },
      formatters: { level: (label) => ({ level: label }) },
      hooks: {
        logMethod(args, method) {
          const scrubbed = args.map((arg, i) => (i === 0 && typeof arg === 'object' ? arg : scrubValue(arg))) as typeof args;
          // With no message given, pino writes the error's own message; give it the scrubbed one.
          if (typeof scrubbed[0] !== 'string' && typeof scrubbed[1] !== 'string') {
            const first = scrubbed[0] as { err?: unknown; msg?: unknown } | null | undefined;
            const error = first instanceof Error ? first : first?.err;
            if (error instanceof Error && (first instanceof Error || first?.msg === undefined)) {
              scrubbed.splice(1, 0, scrubSecrets(error.message));
            }
          }
          return method.apply(this, scrubbed as Parameters<typeof method>);
        },
      },
    },
    destination,
  );
}

const REDACTED = '[redacted]';

const SECRETS_IN_TEXT: readonly (readonly [RegExp, string])[] = [
  // Each pattern starts only where a run starts (lookbehind), so a long run of letters costs one
  // pass, not one pass per position.
  // scheme://user:password@host, scheme://:password@host: the whole user-info goes.
  [/(?<![a-z0-9+.-])([a-z][a-z0-9+.-]{0,30}:\/\/)[^\s/?#@"'<>]+@/gi, `$1${REDACTED}@`],
  // ?token=…, &access_token=…, &password=…, &api_key=…, &sig=…
  [/([?&;][\w.-]{0,30}?(?:token|password|passwd|pwd|secret|key|sig|signature|auth|credential)[\w.-]{0,30}=)[^&#\s"'<>]*/gi, `$1${REDACTED}`],
  // Discord: /webhooks/ID/TOKEN and /interactions/ID/TOKEN/callback.
  [/(\/(?:interactions|webhooks)\/\d+)\/[^/\s?#"'<>]+/g, `$1/${REDACTED}`],
  // Authorization header values; at least 20 characters, so "Bot ready" stays.
  [/\b(Bot|Bearer|Basic)\s+[\w.~+/-]{20,}=*/g, `$1 ${REDACTED}`],
  // A bot token (user id . timestamp . HMAC) or a JWT, wherever it appears.
  [/(?<![\w-])[\w-]{20,}\.[\w-]{5,}\.[\w-]{20,}/g, REDACTED],
];

/** Remove credentials from any text (URLs in error messages, stacks, request lines). */
export function scrubSecrets(text: string): string {
  let out = text;
  for (const [pattern, replacement] of SECRETS_IN_TEXT) out = out.replace(pattern, replacement);
  return out;
}

const SECRET_KEY = /^(?:token|.*[-_]token|password|passwd|secret|client[-_]?secret|authorization|cookie|set-cookie|api[-_]?key)$/i;

// Bounds of one log line's walk. Deeper or wider than this in a log line is a mistake at the call
// site; the line says where it was cut instead of hanging the event loop on it.
const LIMITS = { depth: 8, keys: 200, items: 100, string: 64 * 1024, nodes: 2_000 } as const;

type Walk = { ancestors: Set<object>; nodes: number };

/** A JSON-ready copy of a log value with every secret replaced, cut at LIMITS. */
export function scrubValue(value: unknown): unknown {
  return scrub(value, 0, { ancestors: new Set(), nodes: 0 });
}

function scrub(value: unknown, depth: number, walk: Walk): unknown {
  if (typeof value === 'string') {
    const text = value.length > LIMITS.string ? `${value.slice(0, LIMITS.string)}…[${value.length - LIMITS.string} more characters]` : value;
    return scrubSecrets(text);
  }
  if (typeof value !== 'object' || value === null) return value;
  if (walk.ancestors.has(value)) return '[circular]';
  if (depth >= LIMITS.depth) return '[depth limit]';
  if (++walk.nodes > LIMITS.nodes) return '[size limit]';
  if (ArrayBuffer.isView(value)) return `[${value.constructor.name} of ${value.byteLength} bytes]`;
  walk.ancestors.add(value);
  try {
    if (value instanceof Error) return scrubError(value, depth, walk);
    if (Array.isArray(value)) {
      const items = value.slice(0, LIMITS.items).map((item) => scrub(item, depth + 1, walk));
      if (value.length > LIMITS.items) items.push(`[${value.length - LIMITS.items} more items]`);
      return items;
    }
    const json = (value as { toJSON?: unknown }).toJSON;
    if (typeof json === 'function') return scrub(safeToJson(value, json), depth, walk);
    return scrubFields(value as Record<string, unknown>, depth, walk);
  } finally {
    walk.ancestors.delete(value);
  }
}

function scrubFields(object: Record<string, unknown>, depth: number, walk: Walk): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  let count = 0;
  for (const key in object) {
    if (!Object.prototype.hasOwnProperty.call(object, key)) continue;
    if (++count > LIMITS.keys) {
      // Not counted: listing the keys of a huge object is the expensive part.
      out['[more keys]'] = true;
      break;
    }
    const field = object[key];
    out[key] = SECRET_KEY.test(key) && field !== undefined && field !== null ? REDACTED : scrub(field, depth + 1, walk);
  }
  return out;
}

// An error nested in a field: serialised as the `err` field is, then scrubbed like any object.
function scrubError(error: Error, depth: number, walk: Walk): Record<string, unknown> {
  return scrubFields(serializeError(error) as Record<string, unknown>, depth, walk);
}

/**
 * pino's serializer: type, message and stack with the messages and stacks of every `cause`
 * appended, plus the error's own fields. Scrubbing happens in the censor, after this.
 */
function serializeError(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const plain = pino.stdSerializers.err(error) as unknown as Record<string, unknown>;
  delete plain.requestBody; // DiscordAPIError carries the request body: user text and attachments
  return plain;
}

function safeToJson(value: object, toJson: Function): unknown {
  try {
    return toJson.call(value);
  } catch {
    return '[unserialisable]';
  }
}
