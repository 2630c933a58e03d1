/**
 * A fake Discord for end-to-end tests: one HTTP server on 127.0.0.1 serving the REST API under
 * `/api/v10` and the gateway over WebSocket, so the real discord.js client runs against it with
 * one option:
 *
 *   new Client({ intents, partials, rest: { api: fake.apiUrl } })   // apiUrl has no /v10
 *
 * discord.js learns the gateway URL from `GET /gateway/bot`, so that option moves both.
 * Tests play the people (inject slash commands, clicks, reactions), break things (failNext,
 * dropGateway, rate limits) and read back what the bot did (requests, state, violations).
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { toApiChannel, toApiMember, toApiUser, toGuildCreate, type ApiObjectContext } from './api-objects.js';
import {
  buildCommandData,
  buildComponentData,
  buildInteractionPayload,
  buildModalSubmitData,
  buildReactionAdd,
  buildReactionRemove,
  InteractionTypes,
  type CommandOptionsSpec,
} from './dispatch-payloads.js';
import { DiscordHttpError } from './discord-errors.js';
import { FailureQueue, type FailureSpec } from './failures.js';
import { FakeGateway, type GatewayDrop } from './gateway.js';
import { parseBody, readRawBody, type ParsedBody } from './http-body.js';
import { RateLimiter, type RateLimitOptions } from './rate-limits.js';
import { RequestRecorder, type RecordedRequest, type RequestPredicate, type Violation, type WaitOptions } from './recorder.js';
import { RestApi } from './rest-routes.js';
import { shardOfGuild } from './snowflake.js';
import {
  FakeDiscordState,
  type BotSeed,
  type GuildSeed,
  type OverwriteSeed,
  type ReactionEmoji,
  type StoredInteraction,
  type StoredMessage,
} from './state.js';

export interface FakeDiscordOptions {
  /** The servers the bot is in; default: one "Paperboy Lab" guild (see DEFAULT_GUILD_SEED). */
  readonly guilds?: readonly GuildSeed[];
  readonly bot?: BotSeed;
  /** HELLO's heartbeat interval (Discord: ~41 s). Default 1000 ms so zombie detection is testable. */
  readonly heartbeatIntervalMs?: number;
  /** When set, REST and gateway refuse any other token (401 / close 4004). Default: any token. */
  readonly token?: string;
  /** Enforce rate limits (off by default; failNext can inject single 429s either way). */
  readonly rateLimits?: RateLimitOptions;
  /** Default 3000 ms, Discord's limit for the first response to an interaction. */
  readonly interactionAckDeadlineMs?: number;
  /** Default 5 minutes. */
  readonly nonceWindowMs?: number;
  /** The shard count `GET /gateway/bot` recommends (Discord: about one per 1,000 servers). Default 1. */
  readonly recommendedShards?: number;
  /**
   * `GET /gateway/bot`'s session_start_limit: `total` IDENTIFYs a day (each accepted IDENTIFY
   * counts against `remaining`) and `max_concurrency` shards identifying at once. Default 1000
   * and 1. The gateway enforces `max_concurrency`: see `identifyWindowMs`.
   */
  readonly sessionStartLimit?: { readonly total?: number; readonly maxConcurrency?: number };
  /**
   * Per bucket (`shard_id % max_concurrency`), one IDENTIFY per window; a sooner one is answered
   * op 9 (d: false) and counted in `stats().refusedIdentifies`. Default 5000 ms, Discord's window.
   */
  readonly identifyWindowMs?: number;
}

export interface InteractionSpec {
  /** 2 command, 3 component, 4 autocomplete, 5 modal submit. */
  readonly type: 2 | 3 | 4 | 5;
  /** Channel id or name; default the first text channel of the first guild. */
  readonly channelId?: string;
  /** Defaults to the channel's guild. */
  readonly guildId?: string;
  /** User id or username of the person interacting; default 'alice'. */
  readonly user?: string;
  readonly data: Record<string, unknown>;
  /** Component interactions: id of the (stored) message that carries the component. */
  readonly messageId?: string;
}

export interface InjectedInteraction {
  readonly id: string;
  readonly token: string;
  /** The INTERACTION_CREATE body as sent. */
  readonly payload: Record<string, unknown>;
  /** The callback (`POST /interactions/{id}/{token}/callback`), once it arrives. */
  firstResponse(timeoutMs?: number): Promise<RecordedRequest>;
  /** Callback plus every webhook request made with this interaction's token, so far. */
  responses(): RecordedRequest[];
}

interface Where {
  readonly channelId?: string;
  readonly user?: string;
}

export interface ReactionInjection {
  readonly action: 'add' | 'remove';
  /** User id or username; default 'alice'. */
  readonly userId?: string;
  /** Channel id or name. */
  readonly channelId: string;
  readonly messageId: string;
  /** Defaults to the channel's guild. */
  readonly guildId?: string;
  /** A unicode emoji ('🔖') or a custom one. */
  readonly emoji: string | ReactionEmoji;
}

export interface FakeDiscordStats {
  readonly requests: number;
  readonly served429: number;
  readonly violations: number;
  readonly unknownRoutes: number;
  /** IDENTIFYs refused for coming within `identifyWindowMs` of another in their bucket. */
  readonly refusedIdentifies: number;
}

export interface FakeDiscord {
  /** `http://127.0.0.1:PORT/api`: pass as the client option `rest.api` (no `/v10`). */
  readonly apiUrl: string;
  /** `http://127.0.0.1:PORT`. */
  readonly origin: string;
  readonly gatewayUrl: string;
  readonly applicationId: string;
  readonly botUserId: string;
  readonly state: FakeDiscordState;
  readonly gateway: FakeGateway;

  readonly requests: readonly RecordedRequest[];
  /** Bodies and protocol steps Discord would have rejected: assert this stays empty. */
  readonly violations: readonly Violation[];
  /** Requests to routes the fake does not implement (answered 404 `{ message, code: 0 }`). */
  readonly unknownRoutes: readonly RecordedRequest[];
  /** Bugs in the fake itself (answered 500); should always be empty. */
  readonly internalErrors: readonly Error[];
  stats(): FakeDiscordStats;
  /** A position in `requests`, for `waitForRequest(…, { since })`. */
  mark(): number;
  /** Resolves with the first answered request matching (already received ones count); a number is `timeoutMs`. */
  waitForRequest(predicate: RequestPredicate, options?: WaitOptions | number): Promise<RecordedRequest>;
  /** Answered requests for a route (`/channels/:id/messages`), optionally one method. */
  requestsFor(route: string, method?: string): RecordedRequest[];
  interactionResponses(interactionId: string): RecordedRequest[];
  /** Calls `listener` after every answered request; returns the unsubscribe function. */
  onRequest(listener: (request: RecordedRequest) => void): () => void;

  injectInteraction(spec: InteractionSpec): InjectedInteraction;
  injectSlashCommand(spec: CommandOptionsSpec & Where): InjectedInteraction;
  injectAutocomplete(spec: CommandOptionsSpec & Where & { readonly focused: { readonly name: string; readonly value: string } }): InjectedInteraction;
  injectButton(spec: { readonly customId: string; readonly messageId: string } & Where): InjectedInteraction;
  injectSelect(spec: { readonly customId: string; readonly messageId: string; readonly values: readonly string[]; readonly componentType?: number } & Where): InjectedInteraction;
  injectModalSubmit(spec: { readonly customId: string; readonly fields: Readonly<Record<string, string>> } & Where): InjectedInteraction;
  injectReaction(spec: ReactionInjection): void;
  /** Sends any dispatch; returns false when intents filtered it or no client is connected. */
  dispatch(t: string, d: unknown): boolean;

  /** A message that exists already (posted before the bot started, or by a person). */
  seedMessage(input: { readonly channelId: string; readonly content?: string; readonly embeds?: unknown[]; readonly components?: unknown[]; readonly authorId?: string }): StoredMessage;
  /** Replaces a channel's overwrites and tells the client (CHANNEL_UPDATE). */
  setChannelOverwrites(channelId: string, overwrites: readonly OverwriteSeed[]): void;
  /** Deletes a channel and tells the client (CHANNEL_DELETE); later requests get 10003. */
  deleteChannel(channelId: string): void;

  failNext(spec: FailureSpec): void;
  /** Breaks the latest gateway connection, or the one of `shardId`. */
  dropGateway(how?: GatewayDrop, shardId?: number): void;
  close(): Promise<void>;
}

function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (status === 204 || body === undefined) {
    response.writeHead(status === 200 ? 204 : status, headers);
    response.end();
    return;
  }
  const text = JSON.stringify(body);
  response.writeHead(status, { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

/** Decodes each path segment: `%40original` → `@original`, `%F0%9F%94%96` → `🔖`. */
function decodePath(path: string): string {
  return path
    .split('/')
    .map((segment) => {
      try {
        return decodeURIComponent(segment);
      } catch {
        return segment;
      }
    })
    .join('/');
}

function recordableHeaders(request: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (name === 'authorization' || value === undefined) continue;
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

export async function startFakeDiscord(options: FakeDiscordOptions = {}): Promise<FakeDiscord> {
  const state = new FakeDiscordState({ bot: options.bot, guilds: options.guilds });
  const recorder = new RequestRecorder();
  const failures = new FailureQueue();
  const limiter = options.rateLimits ? new RateLimiter(options.rateLimits) : null;
  const internalErrors: Error[] = [];
  let served429 = 0;
  const maxConcurrency = options.sessionStartLimit?.maxConcurrency ?? 1;

  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;
  const api: ApiObjectContext = { state, origin };

  const gateway = new FakeGateway(
    `ws://127.0.0.1:${port}`,
    {
      ready: (sessionId, resumeUrl, shard) => ({
        v: 10,
        user: { ...toApiUser(state.bot), verified: true, mfa_enabled: false, flags: 0 },
        // READY lists guilds as unavailable; their GUILD_CREATE follows.
        guilds: [...state.guilds.keys()].filter((id) => shardOfGuild(id, shard[1]) === shard[0]).map((id) => ({ id, unavailable: true })),
        session_id: sessionId,
        resume_gateway_url: resumeUrl,
        shard,
        application: { id: state.applicationId, flags: 0 },
        private_channels: [],
        presences: [],
        relationships: [],
        user_settings: {},
        session_type: 'normal',
        geo_ordered_rtc_regions: [],
      }),
      guildCreates: (shard) =>
        [...state.guilds.keys()].filter((id) => shardOfGuild(id, shard[1]) === shard[0]).map((id) => toGuildCreate(state, id)),
      guildMembers: (request) => {
        const guildId = String(request.guild_id ?? '');
        if (!state.guilds.has(guildId)) return null;
        const ids = Array.isArray(request.user_ids) ? request.user_ids.map(String) : typeof request.user_ids === 'string' ? [request.user_ids] : null;
        const query = typeof request.query === 'string' ? request.query.toLowerCase() : '';
        const limit = typeof request.limit === 'number' && request.limit > 0 ? request.limit : Infinity;
        const members = state
          .membersOf(guildId)
          .filter((m) => (ids ? ids.includes(m.userId) : state.user(m.userId).username.toLowerCase().startsWith(query)))
          .slice(0, limit)
          .map((m) => toApiMember(state, m));
        return { guildId, members };
      },
    },
    { heartbeatIntervalMs: options.heartbeatIntervalMs ?? 1000, token: options.token, maxConcurrency, identifyWindowMs: options.identifyWindowMs },
  );
  server.on('upgrade', (request, socket, head) => gateway.handleUpgrade(request, socket, head));

  const rest = new RestApi(state, api, (t, d) => void gateway.dispatch(t, d), () => gateway.url, {
    interactionAckDeadlineMs: options.interactionAckDeadlineMs ?? 3000,
    nonceWindowMs: options.nonceWindowMs ?? 5 * 60_000,
    gatewayBot: () => {
      // Refused IDENTIFYs are not in `identifies`, so only accepted ones use up `remaining`.
      const total = options.sessionStartLimit?.total ?? 1000;
      return {
        shards: options.recommendedShards ?? 1,
        session_start_limit: {
          total,
          remaining: Math.max(0, total - gateway.identifies.length),
          reset_after: 14_400_000,
          max_concurrency: maxConcurrency,
        },
      };
    },
  });

  const serveAttachment = (path: string, response: ServerResponse): void => {
    // /attachments/{channel}/{attachment}/{filename}: the "CDN" for uploaded files.
    const [, , , attachmentId] = path.split('/');
    for (const message of state.messages.values()) {
      const found = message.attachments.find((a) => a.id === attachmentId);
      if (found) {
        response.writeHead(200, { 'content-type': found.contentType, 'content-length': found.data.length });
        response.end(found.data);
        return;
      }
    }
    sendJson(response, 404, { message: '404: Not Found', code: 0 });
  };

  const handleApi = async (request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> => {
    const method = (request.method ?? 'GET').toUpperCase();
    const path = decodePath(url.pathname.slice('/api/v10'.length));
    const raw = await readRawBody(request);
    let parsed: ParsedBody = { body: undefined, files: [] };
    let parseError: DiscordHttpError | null = null;
    try {
      parsed = await parseBody(raw, request.headers['content-type']);
    } catch (error) {
      if (!(error instanceof DiscordHttpError)) throw error;
      parseError = error;
    }

    const match = rest.match(method, path);
    const authorization = request.headers.authorization;
    const current = recorder.begin({
      method,
      path,
      route: match.route,
      query: Object.fromEntries(url.searchParams),
      headers: recordableHeaders(request),
      authorized: authorization !== undefined,
      body: parsed.body,
      files: parsed.files,
      at: Date.now(),
    });
    const answer = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
      if (status === 429) served429 += 1;
      recorder.complete(current, status === 200 && body === undefined ? 204 : status, body);
      sendJson(response, status, body, headers);
    };

    if (match.kind !== 'found') {
      // Discord's answer for unknown routes; recorded so a test notices the bot used one.
      recorder.unknownRoutes.push(current);
      answer(404, { message: '404: Not Found', code: 0 });
      return;
    }
    const failure = failures.take(current);
    if (failure) {
      answer(failure.status, failure.body, failure.headers);
      return;
    }
    if (match.auth && (authorization === undefined || (options.token !== undefined && authorization !== `Bot ${options.token}`))) {
      answer(401, { message: '401: Unauthorized', code: 0 });
      return;
    }
    let rateLimitHeaders: Record<string, string> = {};
    if (limiter) {
      const channelId = /^\/channels\/(\d+)/.exec(path)?.[1] ?? null;
      const check = limiter.check({ method, route: match.route, channelId, exemptFromGlobal: !match.auth });
      if (check.limited) {
        answer(429, check.response.body, check.response.headers);
        return;
      }
      rateLimitHeaders = check.headers;
    }
    try {
      if (parseError) throw parseError;
      const result = match.run(current);
      answer(result.status, result.body, rateLimitHeaders);
    } catch (error) {
      if (error instanceof DiscordHttpError) {
        if (error.violation) recorder.addViolation(error.violation, current, error.issues, error.message);
        answer(error.status, error.toBody(), rateLimitHeaders);
        return;
      }
      // A bug in the fake, not in the bot: answer like a Discord outage and keep it for the test.
      internalErrors.push(error instanceof Error ? error : new Error(String(error)));
      answer(500, { message: '500: Internal Server Error', code: 0 });
    }
  };

  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', origin);
    const run = async (): Promise<void> => {
      if (url.pathname.startsWith('/attachments/')) return serveAttachment(url.pathname, response);
      if (url.pathname.startsWith('/api/v10/')) return handleApi(request, response, url);
      sendJson(response, 404, { message: '404: Not Found', code: 0 });
    };
    run().catch((error: unknown) => {
      internalErrors.push(error instanceof Error ? error : new Error(String(error)));
      if (!response.headersSent) sendJson(response, 500, { message: '500: Internal Server Error', code: 0 });
      else response.end();
    });
  });

  // ----- injection -----

  const defaultChannel = (guildId?: string): string => {
    const gid = guildId ?? state.guild().id;
    const channel = state.channelsOf(gid).find((c) => c.type === 0);
    if (!channel) throw new Error('fake discord: the guild has no text channel');
    return channel.id;
  };

  const responsesOf = (interaction: StoredInteraction): RecordedRequest[] =>
    recorder.requests.filter(
      (r) => r.status !== 0 && (r.path.startsWith(`/interactions/${interaction.id}/`) || r.path.startsWith(`/webhooks/${state.applicationId}/${interaction.token}`)),
    );

  const injectInteraction = (spec: InteractionSpec & { readonly commandName?: string | null }): InjectedInteraction => {
    const channel = state.channel(spec.channelId ?? defaultChannel(spec.guildId));
    const user = state.user(spec.user ?? 'alice');
    const interaction: StoredInteraction = {
      id: state.ids.next(),
      // Interaction tokens are long opaque strings; only their uniqueness matters here.
      token: `aW50ZXJhY3Rpb24${randomBytes(48).toString('base64url')}`,
      type: spec.type,
      guildId: spec.guildId ?? channel.guildId,
      channelId: channel.id,
      userId: user.id,
      createdAt: Date.now(),
      commandName: spec.commandName ?? (typeof spec.data.name === 'string' ? spec.data.name : null),
      messageId: spec.messageId ?? null,
      callbackType: null,
      acknowledgedAt: null,
      originalMessageId: null,
    };
    if (spec.messageId !== undefined && !state.messages.has(spec.messageId)) {
      throw new Error(`fake discord: no message ${spec.messageId} to put the component on`);
    }
    state.interactions.set(interaction.id, interaction);
    const payload = buildInteractionPayload(api, interaction, spec.data);
    if (!gateway.dispatch('INTERACTION_CREATE', payload)) {
      throw new Error('fake discord: no gateway session to deliver the interaction (is the client logged in?)');
    }
    return {
      id: interaction.id,
      token: interaction.token,
      payload,
      firstResponse: (timeoutMs = 5000) =>
        recorder.waitFor((r) => r.path.startsWith(`/interactions/${interaction.id}/`), { timeoutMs }),
      responses: () => responsesOf(interaction),
    };
  };

  /** A press on a message's button (type 2) or a choice in its select menu (3, 5–8), in the message's channel by default. */
  const injectComponent = (
    spec: { readonly customId: string; readonly messageId: string } & Where,
    componentType: number,
    values?: readonly string[],
  ): InjectedInteraction =>
    injectInteraction({
      type: InteractionTypes.MessageComponent,
      channelId: spec.channelId ?? state.messages.get(spec.messageId)?.channelId,
      user: spec.user,
      messageId: spec.messageId,
      data: buildComponentData(spec.customId, componentType, values) as unknown as Record<string, unknown>,
      commandName: null,
    });

  const commandData = (spec: CommandOptionsSpec, guildId: string | null): Record<string, unknown> => {
    const command = [...state.commandsOf(guildId), ...state.commandsOf(null)].find((c) => c.body.name === spec.name && ((c.body.type as number | undefined) ?? 1) === 1);
    return buildCommandData(api, command, command?.id ?? state.ids.next(), guildId, spec);
  };

  const resolveEmoji = (emoji: string | ReactionEmoji): ReactionEmoji => (typeof emoji === 'string' ? { id: null, name: emoji } : emoji);

  const fake: FakeDiscord = {
    apiUrl: `${origin}/api`,
    origin,
    gatewayUrl: gateway.url,
    applicationId: state.applicationId,
    botUserId: state.bot.id,
    state,
    gateway,
    requests: recorder.requests,
    violations: recorder.violations,
    unknownRoutes: recorder.unknownRoutes,
    internalErrors,
    stats: () => ({
      requests: recorder.requests.length,
      served429,
      violations: recorder.violations.length,
      unknownRoutes: recorder.unknownRoutes.length,
      refusedIdentifies: gateway.refusedIdentifies.length,
    }),
    mark: () => recorder.mark(),
    waitForRequest: (predicate, waitOptions) =>
      recorder.waitFor(predicate, typeof waitOptions === 'number' ? { timeoutMs: waitOptions } : waitOptions),
    requestsFor: (route, method) => recorder.requests.filter((r) => r.status !== 0 && r.route === route && (method === undefined || r.method === method.toUpperCase())),
    interactionResponses: (interactionId) => {
      const interaction = state.interactions.get(interactionId);
      return interaction ? responsesOf(interaction) : [];
    },
    onRequest: (listener) => recorder.onComplete(listener),

    injectInteraction,
    injectSlashCommand: (spec) => {
      const channelId = spec.channelId ?? defaultChannel();
      const guildId = state.channel(channelId).guildId;
      return injectInteraction({ type: InteractionTypes.ApplicationCommand, channelId, user: spec.user, data: commandData(spec, guildId) });
    },
    injectAutocomplete: (spec) => {
      const channelId = spec.channelId ?? defaultChannel();
      const guildId = state.channel(channelId).guildId;
      return injectInteraction({ type: InteractionTypes.ApplicationCommandAutocomplete, channelId, user: spec.user, data: commandData(spec, guildId) });
    },
    injectButton: (spec) => injectComponent(spec, 2),
    injectSelect: (spec) => injectComponent(spec, spec.componentType ?? 3, spec.values),
    injectModalSubmit: (spec) =>
      injectInteraction({
        type: InteractionTypes.ModalSubmit,
        channelId: spec.channelId,
        user: spec.user,
        data: buildModalSubmitData(spec.customId, spec.fields),
        commandName: null,
      }),
    injectReaction: (spec) => {
      const channel = state.channel(spec.channelId);
      const user = state.user(spec.userId ?? 'alice');
      const emoji = resolveEmoji(spec.emoji);
      const message = state.messages.get(spec.messageId);
      const reaction = {
        userId: user.id,
        channelId: channel.id,
        messageId: spec.messageId,
        guildId: spec.guildId ?? channel.guildId,
        emoji,
        ...(message ? { messageAuthorId: message.authorId } : {}),
      };
      if (spec.action === 'add') {
        // Reacting twice with the same emoji changes nothing on Discord, and sends no event.
        if (message && !state.addReaction(message, emoji, user.id)) return;
        gateway.dispatch('MESSAGE_REACTION_ADD', buildReactionAdd(api, reaction));
      } else {
        if (message && !state.removeReaction(message, emoji, user.id)) return;
        gateway.dispatch('MESSAGE_REACTION_REMOVE', buildReactionRemove(reaction));
      }
    },
    dispatch: (t, d) => gateway.dispatch(t, d),

    seedMessage: (input) =>
      state.createMessage({
        channelId: input.channelId,
        content: input.content,
        embeds: input.embeds,
        components: input.components,
        authorId: input.authorId === undefined ? undefined : state.user(input.authorId).id,
      }),
    setChannelOverwrites: (channelId, overwrites) => {
      const channel = state.channel(channelId);
      if (channel.guildId === null) throw new Error('fake discord: DM channels have no overwrites');
      const guildId = channel.guildId;
      channel.overwrites = overwrites.map((o) => {
        const allow = o.allow ?? 0n;
        const deny = o.deny ?? 0n;
        if (o.member !== undefined) return { id: o.member === 'bot' ? state.bot.id : state.user(o.member).id, type: 1 as const, allow, deny };
        return { id: state.role(o.role ?? '@everyone', guildId).id, type: 0 as const, allow, deny };
      });
      gateway.dispatch('CHANNEL_UPDATE', toApiChannel(state, channel));
    },
    deleteChannel: (channelId) => {
      const channel = state.channel(channelId);
      state.channels.delete(channel.id);
      gateway.dispatch('CHANNEL_DELETE', toApiChannel(state, channel));
    },

    failNext: (spec) => failures.add(spec),
    dropGateway: (how, shardId) => gateway.drop(how, shardId),
    close: async () => {
      recorder.close();
      gateway.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return fake;
}

export type { FailureSpec } from './failures.js';
export type { GatewayDrop } from './gateway.js';
export type { RateLimitOptions } from './rate-limits.js';
export type { RecordedFile, RecordedRequest, Violation } from './recorder.js';
export type { GuildSeed, ChannelSeed, MemberSeed, RoleSeed, OverwriteSeed, StoredMessage } from './state.js';
export type { CommandOptionsSpec, OptionValue } from './dispatch-payloads.js';
