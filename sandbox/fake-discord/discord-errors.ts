/**
 * Discord's JSON error codes and the exact bodies it answers with, so that discord.js
 * raises the same `DiscordAPIError` (same `code`, `status`, `message`) it would in production.
 */
import type { FormIssue } from './limits.js';

export const DiscordErrorCodes = {
  /** Generic: used by Discord for 401/404/405 with messages like "404: Not Found". */
  General: 0,
  UnknownApplication: 10002,
  UnknownChannel: 10003,
  UnknownGuild: 10004,
  UnknownMember: 10007,
  UnknownMessage: 10008,
  UnknownRole: 10011,
  UnknownUser: 10013,
  UnknownWebhook: 10015,
  UnknownInteraction: 10062,
  InteractionAlreadyAcknowledged: 40060,
  ForumTagRequired: 40067,
  MessageAlreadyCrossposted: 40033,
  MissingAccess: 50001,
  CannotSendEmptyMessage: 50006,
  CannotEditOthersMessage: 50005,
  CannotSendMessagesToThisUser: 50007,
  MissingPermissions: 50013,
  InvalidChannelType: 50024,
  InvalidFormBody: 50035,
  InvalidJson: 50109,
} as const;

export type DiscordErrorCode = (typeof DiscordErrorCodes)[keyof typeof DiscordErrorCodes];

/** The messages Discord sends with each code (what `DiscordAPIError#message` ends up as). */
const messages: Record<number, string> = {
  10002: 'Unknown Application',
  10003: 'Unknown Channel',
  10004: 'Unknown Guild',
  10007: 'Unknown Member',
  10008: 'Unknown Message',
  10011: 'Unknown Role',
  10013: 'Unknown User',
  10015: 'Unknown Webhook',
  10062: 'Unknown interaction',
  40033: 'This message has already been crossposted.',
  40060: 'Interaction has already been acknowledged.',
  40067: 'A tag is required to create a forum post in this channel',
  50001: 'Missing Access',
  50005: 'Cannot edit a message authored by another user',
  50006: 'Cannot send an empty message',
  50007: 'Cannot send messages to this user',
  50013: 'Missing Permissions',
  50024: 'Cannot execute action on this channel type',
  50035: 'Invalid Form Body',
  50109: 'The request body contains invalid JSON.',
};

const statusMessages: Record<number, string> = {
  400: '400: Bad Request',
  401: '401: Unauthorized',
  403: '403: Forbidden',
  404: '404: Not Found',
  405: '405: Method Not Allowed',
  500: '500: Internal Server Error',
  502: '502: Bad Gateway',
  503: '503: Service Unavailable',
};

export function discordErrorMessage(code: number, status: number): string {
  return messages[code] ?? statusMessages[status] ?? `${status}: Error`;
}

export interface DiscordHttpErrorInit {
  readonly status: number;
  readonly code: number;
  /** Defaults to Discord's message for the code. */
  readonly message?: string;
  /** Discord's nested `errors` object (50035). */
  readonly errors?: Record<string, unknown>;
  /** The same problems, flattened, for the recorder. */
  readonly issues?: readonly FormIssue[];
  readonly violation?: ViolationKind;
}

/**
 * Thrown by route handlers; the server turns it into Discord's JSON error body.
 * `violation` marks errors caused by a payload or protocol mistake in the bot (as opposed to
 * a state a test set up on purpose, such as a deleted channel), so tests can assert none happened.
 */
export class DiscordHttpError extends Error {
  readonly status: number;
  readonly code: number;
  readonly errors: Record<string, unknown> | undefined;
  readonly issues: readonly FormIssue[];
  readonly violation: ViolationKind | undefined;

  constructor(init: DiscordHttpErrorInit) {
    super(init.message ?? discordErrorMessage(init.code, init.status));
    this.name = 'DiscordHttpError';
    this.status = init.status;
    this.code = init.code;
    this.errors = init.errors;
    this.issues = init.issues ?? [];
    this.violation = init.violation;
  }

  toBody(): Record<string, unknown> {
    return this.errors === undefined
      ? { message: this.message, code: this.code }
      : { message: this.message, code: this.code, errors: this.errors };
  }
}

export const ViolationKinds = [
  'invalid-form-body',
  'empty-message',
  'interaction-already-acknowledged',
  'interaction-expired',
  'interaction-callback-type',
  'webhook-before-ack',
] as const;

export type ViolationKind = (typeof ViolationKinds)[number];
