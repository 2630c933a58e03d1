/**
 * Scripted failures: "the next N matching requests fail with this status", answered with the
 * same headers and bodies Discord sends, so discord.js reacts as it would in production
 * (waits out a 429, retries a 5xx up to 3 times silently, throws DiscordAPIError on 4xx).
 */
import { discordErrorMessage, DiscordErrorCodes } from './discord-errors.js';
import { bucketHash, tooManyRequests } from './rate-limits.js';
import type { RecordedRequest } from './recorder.js';

export interface FailureSpec {
  /** HTTP method to match; any when omitted. */
  readonly method?: string;
  /** Normalised route (`/channels/:id/messages`) or a pattern tested against it. */
  readonly route: string | RegExp;
  /** Extra condition, e.g. `(r) => r.path.includes(channelId)`. */
  readonly where?: (request: RecordedRequest) => boolean;
  readonly status: number;
  /** Discord JSON error code; a sensible one for the status and route when omitted. */
  readonly code?: number;
  readonly message?: string;
  /** How many matching requests fail (default 1). */
  readonly times?: number;
  /** 429 only: how long the client is told to wait (default 1000 ms). */
  readonly retryAfterMs?: number;
  /** 429 only: a global rate limit instead of a per-route one. */
  readonly global?: boolean;
}

export interface FailureResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: unknown;
}

interface PendingFailure {
  readonly spec: FailureSpec;
  remaining: number;
}

function defaultCode(status: number, route: string): number {
  if (status === 403) return DiscordErrorCodes.MissingPermissions;
  if (status !== 404) return DiscordErrorCodes.General;
  if (route.startsWith('/interactions/')) return DiscordErrorCodes.UnknownInteraction;
  if (route.startsWith('/webhooks/')) return route.includes('/messages/') ? DiscordErrorCodes.UnknownMessage : DiscordErrorCodes.UnknownWebhook;
  if (route.includes('/members/')) return DiscordErrorCodes.UnknownMember;
  if (route.includes('/messages/')) return DiscordErrorCodes.UnknownMessage;
  if (route.startsWith('/channels/')) return DiscordErrorCodes.UnknownChannel;
  return DiscordErrorCodes.General;
}

export class FailureQueue {
  private readonly pending: PendingFailure[] = [];

  add(spec: FailureSpec): void {
    this.pending.push({ spec, remaining: spec.times ?? 1 });
  }

  get size(): number {
    return this.pending.length;
  }

  clear(): void {
    this.pending.length = 0;
  }

  /** The scripted failure for this request, if any (consumes one use). */
  take(request: RecordedRequest): FailureResponse | null {
    const index = this.pending.findIndex(({ spec }) => {
      if (spec.method !== undefined && spec.method.toUpperCase() !== request.method) return false;
      const routeMatches = typeof spec.route === 'string' ? spec.route === request.route : spec.route.test(request.route);
      return routeMatches && (spec.where === undefined || spec.where(request));
    });
    const entry = this.pending[index];
    if (!entry) return null;
    entry.remaining -= 1;
    if (entry.remaining <= 0) this.pending.splice(index, 1);

    const { spec } = entry;
    if (spec.status === 429) {
      const response = tooManyRequests({
        retryAfterMs: spec.retryAfterMs ?? 1000,
        global: spec.global ?? false,
        bucket: bucketHash(request.method, request.route),
      });
      return { status: 429, headers: response.headers, body: response.body };
    }
    const code = spec.code ?? defaultCode(spec.status, request.route);
    return {
      status: spec.status,
      headers: {},
      body: { message: spec.message ?? discordErrorMessage(code, spec.status), code },
    };
  }
}
