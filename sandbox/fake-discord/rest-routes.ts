/**
 * The REST endpoints a news bot uses, with Discord's semantics: permission checks, payload
 * limits, nonce deduplication, interaction acknowledgement rules, and Discord's error codes.
 * Paths are the ones discord.js 14 / @discordjs/rest 2 call (see `Routes` in discord-api-types).
 *
 * Route patterns use `:id` for a snowflake, `:token` for an interaction token and `:emoji`
 * for a URL-encoded emoji; the same strings name routes in the recorder and in `failNext`.
 */
import { toApiChannel, toApiCommand, toApiMember, toApiMessage, toApiRole, toApiUser, toGuildCreate, type ApiObjectContext } from './api-objects.js';
import { buildReactionAdd, buildReactionRemove, InteractionTypes } from './dispatch-payloads.js';
import { DiscordErrorCodes as E, DiscordHttpError, type ViolationKind } from './discord-errors.js';
import {
  CallbackTypes,
  isEmptyMessage,
  validateCommands,
  validateForumTags,
  validateForumThread,
  validateInteractionCallback,
  validateMessagePayload,
  type FormIssue,
  type FormValidation,
} from './limits.js';
import { guildPermissions, hasPermissions, Permission } from './permissions.js';
import type { RecordedRequest } from './recorder.js';
import { SNOWFLAKE_PATTERN } from './snowflake.js';
import { ChannelTypes, type FakeDiscordState, type ReactionEmoji, type StoredAttachment, type StoredChannel, type StoredInteraction, type StoredMessage } from './state.js';

export interface RouteResult {
  readonly status: number;
  readonly body?: unknown;
}

export interface RestOptions {
  /** Discord allows 3 s to acknowledge an interaction; later callbacks get 10062. */
  readonly interactionAckDeadlineMs: number;
  /** How long a nonce sent with `enforce_nonce` keeps deduplicating ("a few minutes"). */
  readonly nonceWindowMs: number;
  /** `GET /gateway/bot` besides the url: the recommended shard count and session_start_limit. */
  readonly gatewayBot?: () => { readonly shards: number; readonly session_start_limit: Record<string, number> };
}

interface RouteContext {
  readonly request: RecordedRequest;
  readonly params: readonly string[];
}

interface RouteDefinition {
  readonly method: string;
  readonly pattern: string;
  /** Interaction callbacks and interaction webhooks are called without the bot token. */
  readonly auth: boolean;
  readonly handle: (context: RouteContext) => RouteResult;
}

export type RouteMatch =
  | { readonly kind: 'found'; readonly route: string; readonly auth: boolean; readonly run: (request: RecordedRequest) => RouteResult }
  | { readonly kind: 'not-found'; readonly route: string };

/** Message flags the fake reads or sets. */
const Flags = {
  Crossposted: 1 << 0,
  Ephemeral: 1 << 6,
  Loading: 1 << 7,
} as const;

/** Message types for interaction replies. */
const MessageTypes = { Default: 0, ChatInputCommand: 20 } as const;

function matchSegments(pattern: readonly string[], path: readonly string[]): string[] | null {
  if (pattern.length !== path.length) return null;
  const params: string[] = [];
  for (let i = 0; i < pattern.length; i += 1) {
    const want = pattern[i] ?? '';
    const got = path[i] ?? '';
    if (want === ':id') {
      if (!SNOWFLAKE_PATTERN.test(got)) return null;
      params.push(got);
    } else if (want === ':token' || want === ':emoji') {
      if (got.length === 0) return null;
      params.push(got);
    } else if (want !== got) {
      return null;
    }
  }
  return params;
}

/** The route name for a path no route matched: snowflakes become `:id`. */
export function normaliseUnknownRoute(path: string): string {
  return path
    .split('/')
    .map((segment) => (SNOWFLAKE_PATTERN.test(segment) ? ':id' : segment))
    .join('/');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function bodyOf(request: RecordedRequest): Record<string, unknown> {
  return isRecord(request.body) ? request.body : {};
}

function invalid(validation: FormValidation, violation: ViolationKind = 'invalid-form-body'): DiscordHttpError {
  return new DiscordHttpError({ status: 400, code: E.InvalidFormBody, errors: validation.errors, issues: validation.issues, violation });
}

function fail(status: number, code: number, violation?: ViolationKind, message?: string): DiscordHttpError {
  return new DiscordHttpError({ status, code, violation, message });
}

/** Emoji in a reaction path: `🔖` or a custom `name:id`. */
export function parseEmoji(segment: string): ReactionEmoji {
  const custom = /^(?:a:)?([^:]+):(\d+)$/.exec(segment);
  if (custom?.[1] !== undefined && custom[2] !== undefined) {
    return { id: custom[2], name: custom[1], ...(segment.startsWith('a:') ? { animated: true } : {}) };
  }
  return { id: null, name: segment };
}

/** `limit`, `before`, `after` of GET /channels/{id}/messages, checked as Discord checks them (50035). */
function historyQuery(query: Readonly<Record<string, string>>): { limit: number; before?: bigint; after?: bigint } {
  const errors: Record<string, unknown> = {};
  const issues: FormIssue[] = [];
  const add = (path: string, code: string, message: string): void => {
    errors[path] = { _errors: [{ code, message }] };
    issues.push({ path, code, message });
  };
  if ('around' in query) throw new Error('fake discord: GET /channels/{id}/messages with `around` is not modelled');
  let limit = 50;
  if (query.limit !== undefined) {
    limit = Number(query.limit);
    if (!/^\d+$/.test(query.limit)) add('limit', 'NUMBER_TYPE_COERCE', `Value "${query.limit}" is not int.`);
    else if (limit < 1) add('limit', 'NUMBER_TYPE_MIN', 'int value should be greater than or equal to 1.');
    else if (limit > 100) add('limit', 'NUMBER_TYPE_MAX', 'int value should be less than or equal to 100.');
  }
  const snowflake = (key: 'before' | 'after'): bigint | undefined => {
    const value = query[key];
    if (value === undefined) return undefined;
    if (SNOWFLAKE_PATTERN.test(value)) return BigInt(value);
    add(key, 'NUMBER_TYPE_COERCE', `Value "${value}" is not snowflake.`);
    return undefined;
  };
  const before = snowflake('before');
  const after = snowflake('after');
  // Discord documents them as mutually exclusive; which one it would honour is not something to rely on.
  if (before !== undefined && after !== undefined) add('after', 'INVALID_PARAMETERS', 'before, after and around are mutually exclusive.');
  if (issues.length > 0) throw invalid({ errors, issues });
  return { limit, ...(before !== undefined ? { before } : {}), ...(after !== undefined ? { after } : {}) };
}

export class RestApi {
  private readonly routes: RouteDefinition[];
  /** `${channelId}:${nonce}` → the message it created, for `enforce_nonce`. */
  private readonly nonces = new Map<string, { readonly messageId: string; readonly at: number }>();

  constructor(
    private readonly state: FakeDiscordState,
    private readonly api: ApiObjectContext,
    private readonly dispatch: (t: string, d: unknown) => void,
    private readonly gatewayUrl: () => string,
    private readonly options: RestOptions,
  ) {
    this.routes = this.defineRoutes();
  }

  /**
   * A method the fake does not implement on a known path is "unknown" too: Discord would
   * serve it, so answering 405 would tell the bot something Discord never says.
   */
  match(method: string, path: string): RouteMatch {
    const segments = path.split('/');
    for (const route of this.routes) {
      if (route.method !== method) continue;
      const params = matchSegments(route.pattern.split('/'), segments);
      if (params === null) continue;
      return { kind: 'found', route: route.pattern, auth: route.auth, run: (request) => route.handle({ request, params }) };
    }
    return { kind: 'not-found', route: normaliseUnknownRoute(path) };
  }

  private defineRoutes(): RouteDefinition[] {
    const r = (method: string, pattern: string, handle: RouteDefinition['handle'], auth = true): RouteDefinition => ({ method, pattern, handle, auth });
    return [
      r('GET', '/gateway/bot', () => this.gatewayBot()),
      r('GET', '/gateway', () => ({ status: 200, body: { url: this.gatewayUrl() } })),
      r('GET', '/users/@me', () => ({ status: 200, body: { ...toApiUser(this.state.bot), verified: true, mfa_enabled: false, flags: 0 } })),
      r('POST', '/users/@me/channels', (c) => this.openDm(c)),
      r('GET', '/channels/:id', (c) => this.getChannel(c)),
      r('PATCH', '/channels/:id', (c) => this.modifyForumTags(c)),
      r('POST', '/channels/:id/threads', (c) => this.createForumPost(c)),
      r('GET', '/channels/:id/threads/archived/public', (c) => this.archivedThreads(c)),
      r('GET', '/guilds/:id/threads/active', (c) => this.activeThreads(c)),
      r('GET', '/channels/:id/messages', (c) => this.listChannelMessages(c)),
      r('POST', '/channels/:id/messages', (c) => this.createChannelMessage(c)),
      r('GET', '/channels/:id/messages/:id', (c) => this.getChannelMessage(c)),
      r('PATCH', '/channels/:id/messages/:id', (c) => this.editChannelMessage(c)),
      r('DELETE', '/channels/:id/messages/:id', (c) => this.deleteChannelMessage(c)),
      r('POST', '/channels/:id/messages/:id/crosspost', (c) => this.crosspost(c)),
      r('PUT', '/channels/:id/messages/:id/reactions/:emoji/@me', (c) => this.react(c, true)),
      r('DELETE', '/channels/:id/messages/:id/reactions/:emoji/@me', (c) => this.react(c, false)),
      r('GET', '/guilds/:id', (c) => this.getGuild(c)),
      r('GET', '/guilds/:id/channels', (c) => ({ status: 200, body: this.state.channelsOf(this.requireGuild(c.params[0])).map((ch) => toApiChannel(this.state, ch)) })),
      r('GET', '/guilds/:id/roles', (c) => ({ status: 200, body: this.state.rolesOf(this.requireGuild(c.params[0])).map(toApiRole) })),
      r('GET', '/guilds/:id/members/:id', (c) => this.getMember(c)),
      r('PUT', '/guilds/:id/members/:id/roles/:id', (c) => this.memberRole(c, true)),
      r('DELETE', '/guilds/:id/members/:id/roles/:id', (c) => this.memberRole(c, false)),
      r('GET', '/applications/:id/commands', (c) => this.listCommands(c, null)),
      r('PUT', '/applications/:id/commands', (c) => this.overwriteCommands(c, null)),
      r('POST', '/applications/:id/commands', (c) => this.createCommand(c, null)),
      r('GET', '/applications/:id/guilds/:id/commands', (c) => this.listCommands(c, c.params[1] ?? null)),
      r('PUT', '/applications/:id/guilds/:id/commands', (c) => this.overwriteCommands(c, c.params[1] ?? null)),
      r('POST', '/applications/:id/guilds/:id/commands', (c) => this.createCommand(c, c.params[1] ?? null)),
      r('POST', '/interactions/:id/:token/callback', (c) => this.interactionCallback(c), false),
      r('POST', '/webhooks/:id/:token', (c) => this.followUp(c), false),
      r('GET', '/webhooks/:id/:token/messages/@original', (c) => this.webhookMessage(c, 'get'), false),
      r('PATCH', '/webhooks/:id/:token/messages/@original', (c) => this.webhookMessage(c, 'edit'), false),
      r('DELETE', '/webhooks/:id/:token/messages/@original', (c) => this.webhookMessage(c, 'delete'), false),
      r('GET', '/webhooks/:id/:token/messages/:id', (c) => this.webhookMessage(c, 'get'), false),
      r('PATCH', '/webhooks/:id/:token/messages/:id', (c) => this.webhookMessage(c, 'edit'), false),
      r('DELETE', '/webhooks/:id/:token/messages/:id', (c) => this.webhookMessage(c, 'delete'), false),
    ];
  }

  // ----- gateway, users -----

  private gatewayBot(): RouteResult {
    return {
      status: 200,
      body: {
        url: this.gatewayUrl(),
        ...(this.options.gatewayBot?.() ?? {
          shards: 1,
          session_start_limit: { total: 1000, remaining: 999, reset_after: 14_400_000, max_concurrency: 1 },
        }),
      },
    };
  }

  private openDm({ request }: RouteContext): RouteResult {
    const recipient = String(bodyOf(request).recipient_id ?? '');
    const user = this.state.users.get(recipient);
    if (!user) throw fail(404, E.UnknownUser);
    return { status: 200, body: toApiChannel(this.state, this.state.dmChannelWith(user.id)) };
  }

  // ----- channels and messages -----

  private channelOr404(channelId: string | undefined): StoredChannel {
    const channel = channelId === undefined ? undefined : this.state.channels.get(channelId);
    if (!channel) throw fail(404, E.UnknownChannel);
    return channel;
  }

  /** Discord answers 50001 Missing Access when the bot cannot see a channel, 50013 for the rest. */
  private requirePermissions(channel: StoredChannel, required: bigint): void {
    const granted = this.state.permissionsIn(channel, this.state.bot.id);
    if (!hasPermissions(granted, Permission.ViewChannel)) throw fail(403, E.MissingAccess);
    if (!hasPermissions(granted, required)) throw fail(403, E.MissingPermissions);
  }

  private messageOr404(channel: StoredChannel, messageId: string | undefined): StoredMessage {
    const message = messageId === undefined ? undefined : this.state.messages.get(messageId);
    if (!message || message.channelId !== channel.id || message.deleted || message.ephemeral) throw fail(404, E.UnknownMessage);
    return message;
  }

  private getChannel({ params }: RouteContext): RouteResult {
    const channel = this.channelOr404(params[0]);
    if (channel.guildId !== null) this.requirePermissions(channel, Permission.ViewChannel);
    return { status: 200, body: toApiChannel(this.state, channel) };
  }

  /** Uploaded files → stored attachments; `payload` holds the `attachments` declarations. */
  private attachmentsFrom(request: RecordedRequest, payload: Record<string, unknown> = bodyOf(request)): StoredAttachment[] {
    const declared = Array.isArray(payload.attachments) ? (payload.attachments as unknown[]).filter(isRecord) : [];
    return request.files.map((file, index) => {
      // discord.js names parts `files[N]` and declares `{ id: N, description? }` in `attachments`.
      const slot = Number(/\[(\d+)\]/.exec(file.field)?.[1] ?? index);
      const meta = declared.find((a) => Number(a.id) === slot);
      return {
        id: this.state.ids.next(),
        filename: typeof meta?.filename === 'string' ? meta.filename : file.filename,
        contentType: file.contentType,
        description: typeof meta?.description === 'string' ? meta.description : null,
        data: file.data,
      };
    });
  }

  private validateMessage(request: RecordedRequest, requireNonEmpty: boolean, at: readonly string[] = []): void {
    const validation = validateMessagePayload(request.body, { at, fileCount: request.files.length });
    if (validation) throw invalid(validation);
    if (requireNonEmpty && isEmptyMessage(request.body, request.files.length)) throw fail(400, E.CannotSendEmptyMessage, 'empty-message');
  }

  private announceCreate(message: StoredMessage): void {
    if (message.ephemeral) return;
    const member = message.guildId === null ? undefined : this.state.member(message.guildId, message.authorId);
    this.dispatch('MESSAGE_CREATE', {
      ...toApiMessage(this.api, message),
      ...(message.guildId !== null ? { guild_id: message.guildId } : {}),
      ...(member ? { member: { ...toApiMember(this.state, member), user: undefined } } : {}),
    });
  }

  private announceUpdate(message: StoredMessage): void {
    if (message.ephemeral) return;
    this.dispatch('MESSAGE_UPDATE', { ...toApiMessage(this.api, message), ...(message.guildId !== null ? { guild_id: message.guildId } : {}) });
  }

  private createChannelMessage({ request, params }: RouteContext): RouteResult {
    const channel = this.channelOr404(params[0]);
    // A forum takes posts (threads), never messages of its own.
    if (channel.type === ChannelTypes.category || channel.type === ChannelTypes.forum) throw fail(400, E.InvalidChannelType);
    // Whoever blocked the bot or closed DMs from server members: Discord's 403 50007.
    if (channel.type === ChannelTypes.dm && channel.recipientId !== null && this.state.closedDms.has(channel.recipientId)) throw fail(403, E.CannotSendMessagesToThisUser);
    this.requirePermissions(channel, Permission.SendMessages | (request.files.length > 0 ? Permission.AttachFiles : 0n));
    this.validateMessage(request, true);

    const body = bodyOf(request);
    const nonce = typeof body.nonce === 'string' || typeof body.nonce === 'number' ? body.nonce : null;
    const nonceKey = nonce === null ? null : `${channel.id}:${String(nonce)}`;
    if (nonceKey !== null && body.enforce_nonce === true) {
      // With enforce_nonce, a repeat of a recent nonce by the same author returns the first
      // message instead of creating another: this is what makes retried sends idempotent.
      const seen = this.nonces.get(nonceKey);
      const existing = seen === undefined ? undefined : this.state.messages.get(seen.messageId);
      if (seen && existing && !existing.deleted && Date.now() - seen.at <= this.options.nonceWindowMs) {
        return { status: 200, body: toApiMessage(this.api, existing) };
      }
    }

    const message = this.state.createMessage({
      channelId: channel.id,
      content: typeof body.content === 'string' ? body.content : '',
      embeds: Array.isArray(body.embeds) ? body.embeds : [],
      components: Array.isArray(body.components) ? body.components : [],
      attachments: this.attachmentsFrom(request),
      flags: typeof body.flags === 'number' ? body.flags : 0,
      nonce,
    });
    if (nonceKey !== null && body.enforce_nonce === true) this.nonces.set(nonceKey, { messageId: message.id, at: Date.now() });
    this.announceCreate(message);
    return { status: 200, body: toApiMessage(this.api, message) };
  }

  /**
   * A page of a channel's history, newest first: `limit` 1–100 (default 50), `before` or `after`
   * a message id (`after` gives the oldest `limit` messages after it, still newest first).
   * Discord refuses without View Channel (50001), but without Read Message History it does not
   * refuse: "no messages will be returned", an empty list a bot cannot tell from an empty channel.
   * Listed messages carry no `nonce` (only the create answer and MESSAGE_CREATE do), so a bot
   * cannot recognise its own sends by nonce here.
   */
  private listChannelMessages({ request, params }: RouteContext): RouteResult {
    const channel = this.channelOr404(params[0]);
    this.requirePermissions(channel, Permission.ViewChannel);
    const { limit, before, after } = historyQuery(request.query);
    if (!hasPermissions(this.state.permissionsIn(channel, this.state.bot.id), Permission.ReadMessageHistory)) return { status: 200, body: [] };
    const history = this.state.historyOf(channel.id);
    const page = before !== undefined ? history.filter((m) => BigInt(m.id) < before).slice(0, limit) : after !== undefined ? history.filter((m) => BigInt(m.id) > after).slice(-limit) : history.slice(0, limit);
    return {
      status: 200,
      body: page.map((message) => {
        const { nonce: _nonce, ...listed } = toApiMessage(this.api, message);
        return listed;
      }),
    };
  }

  private getChannelMessage({ params }: RouteContext): RouteResult {
    const channel = this.channelOr404(params[0]);
    this.requirePermissions(channel, Permission.ReadMessageHistory);
    return { status: 200, body: toApiMessage(this.api, this.messageOr404(channel, params[1])) };
  }

  private editChannelMessage({ request, params }: RouteContext): RouteResult {
    const channel = this.channelOr404(params[0]);
    this.requirePermissions(channel, 0n);
    const message = this.messageOr404(channel, params[1]);
    if (message.authorId !== this.state.bot.id) throw fail(403, E.CannotEditOthersMessage);
    this.validateMessage(request, false);
    this.state.editMessage(message, bodyOf(request), this.attachmentsFrom(request));
    this.announceUpdate(message);
    return { status: 200, body: toApiMessage(this.api, message) };
  }

  private deleteChannelMessage({ params }: RouteContext): RouteResult {
    const channel = this.channelOr404(params[0]);
    const message = this.messageOr404(channel, params[1]);
    this.requirePermissions(channel, message.authorId === this.state.bot.id ? 0n : Permission.ManageMessages);
    message.deleted = true;
    this.dispatch('MESSAGE_DELETE', { id: message.id, channel_id: channel.id, ...(channel.guildId !== null ? { guild_id: channel.guildId } : {}) });
    return { status: 204 };
  }

  private crosspost({ params }: RouteContext): RouteResult {
    const channel = this.channelOr404(params[0]);
    const message = this.messageOr404(channel, params[1]);
    // Only messages in announcement channels can be published to following servers.
    if (channel.type !== ChannelTypes.announcement) throw fail(400, E.InvalidChannelType);
    this.requirePermissions(channel, message.authorId === this.state.bot.id ? Permission.SendMessages : Permission.ManageMessages);
    if ((message.flags & Flags.Crossposted) !== 0) throw fail(400, E.MessageAlreadyCrossposted);
    message.flags |= Flags.Crossposted;
    this.announceUpdate(message);
    return { status: 200, body: toApiMessage(this.api, message) };
  }

  private react({ params }: RouteContext, add: boolean): RouteResult {
    const channel = this.channelOr404(params[0]);
    const message = this.messageOr404(channel, params[1]);
    const emoji = parseEmoji(params[2] ?? '');
    const bot = this.state.bot.id;
    const spec = { userId: bot, channelId: channel.id, messageId: message.id, guildId: channel.guildId, emoji, messageAuthorId: message.authorId };
    if (add) {
      // Adding to an existing reaction needs only Read Message History; a new emoji also Add Reactions.
      const isNew = !message.reactions.has(emoji.id ?? emoji.name);
      this.requirePermissions(channel, Permission.ReadMessageHistory | (isNew ? Permission.AddReactions : 0n));
      // Discord echoes the bot's own reactions back over the gateway: handlers must ignore them.
      if (this.state.addReaction(message, emoji, bot)) this.dispatch('MESSAGE_REACTION_ADD', buildReactionAdd(this.api, spec));
    } else {
      this.requirePermissions(channel, Permission.ReadMessageHistory);
      if (this.state.removeReaction(message, emoji, bot)) this.dispatch('MESSAGE_REACTION_REMOVE', buildReactionRemove(spec));
    }
    return { status: 204 };
  }

  // ----- forums -----

  private forumOr400(channelId: string | undefined): StoredChannel {
    const channel = this.channelOr404(channelId);
    if (channel.type !== ChannelTypes.forum) throw new Error('fake discord: only forum channels take threads and tag edits here (text-channel threads are not modelled)');
    return channel;
  }

  /**
   * A forum post: the thread and its starter message in one request (Discord has no nonce for
   * it: a repeated request makes a second post). Needs Send Messages in the forum; a moderated
   * tag needs Manage Threads too.
   */
  private createForumPost({ request, params }: RouteContext): RouteResult {
    const forum = this.forumOr400(params[0]);
    this.requirePermissions(forum, Permission.SendMessages);
    const tags = forum.availableTags ?? [];
    const validation = validateForumThread(request.body, new Set(tags.map((t) => t.id)), request.files.length);
    if (validation) throw invalid(validation);
    const body = bodyOf(request);
    const message = isRecord(body.message) ? body.message : {};
    if (isEmptyMessage(message, request.files.length)) throw fail(400, E.CannotSendEmptyMessage, 'empty-message');
    const applied = Array.isArray(body.applied_tags) ? body.applied_tags.map(String) : [];
    if (forum.requireTag && applied.length === 0) throw fail(400, E.ForumTagRequired);
    if (applied.some((id) => tags.find((t) => t.id === id)?.moderated)) this.requirePermissions(forum, Permission.SendMessages | Permission.ManageThreads);

    const thread = this.state.createForumThread(forum, { name: String(body.name), appliedTags: applied, ownerId: this.state.bot.id });
    const starter = this.state.createMessage({
      id: thread.id,
      channelId: thread.id,
      content: typeof message.content === 'string' ? message.content : '',
      embeds: Array.isArray(message.embeds) ? message.embeds : [],
      components: Array.isArray(message.components) ? message.components : [],
      attachments: this.attachmentsFrom(request, message),
      flags: typeof message.flags === 'number' ? message.flags : 0,
    });
    const apiThread = toApiChannel(this.state, thread);
    this.dispatch('THREAD_CREATE', { ...apiThread, newly_created: true });
    this.announceCreate(starter);
    // The answer is the thread with its starter message.
    return { status: 201, body: { ...apiThread, message: toApiMessage(this.api, starter) } };
  }

  /** Every active thread of a guild the bot can see, whatever its parent (a bot filters by parent_id). */
  private activeThreads({ params }: RouteContext): RouteResult {
    const guildId = this.requireGuild(params[0]);
    const threads = [...this.state.channels.values()].filter(
      (c) => c.guildId === guildId && c.thread && !c.thread.archived && hasPermissions(this.state.permissionsIn(c, this.state.bot.id), Permission.ViewChannel),
    );
    return { status: 200, body: { threads: threads.map((c) => toApiChannel(this.state, c)), members: [] } };
  }

  /** Archived public threads of a forum, most recently archived first; `limit` (default 50) and `before` (ISO time). */
  private archivedThreads({ request, params }: RouteContext): RouteResult {
    const forum = this.channelOr404(params[0]);
    this.requirePermissions(forum, Permission.ReadMessageHistory);
    const limit = request.query.limit === undefined ? 50 : Number(request.query.limit);
    if (!Number.isInteger(limit) || limit < 2 || limit > 100) {
      const message = 'int value should be between 2 and 100.';
      throw invalid({ errors: { limit: { _errors: [{ code: 'NUMBER_TYPE_MAX', message }] } }, issues: [{ path: 'limit', code: 'NUMBER_TYPE_MAX', message }] });
    }
    const before = request.query.before === undefined ? Infinity : Date.parse(request.query.before);
    const archived = this.state
      .threadsOf(forum.id)
      .filter((c) => c.thread?.archived && c.thread.archiveTimestamp < before)
      .sort((a, b) => (b.thread?.archiveTimestamp ?? 0) - (a.thread?.archiveTimestamp ?? 0));
    return { status: 200, body: { threads: archived.slice(0, limit).map((c) => toApiChannel(this.state, c)), members: [], has_more: archived.length > limit } };
  }

  /**
   * Only `available_tags` of a forum is modelled: the whole list as it should be (tags without an
   * id are new). Needs Manage Channels; at most 20 tags of 1–20 code points.
   */
  private modifyForumTags({ request, params }: RouteContext): RouteResult {
    const forum = this.forumOr400(params[0]);
    const body = bodyOf(request);
    const fields = Object.keys(body).filter((k) => k !== 'available_tags');
    if (fields.length > 0) throw new Error(`fake discord: PATCH /channels/{id} with ${fields.join(', ')} is not modelled`);
    this.requirePermissions(forum, Permission.ManageChannels);
    const validation = validateForumTags(body.available_tags);
    if (validation) throw invalid(validation);
    const previous = new Map((forum.availableTags ?? []).map((t) => [t.id, t]));
    forum.availableTags = (body.available_tags as unknown[]).filter(isRecord).map((t) => {
      const id = typeof t.id === 'string' && previous.has(t.id) ? t.id : this.state.ids.next();
      return { id, name: String(t.name), moderated: t.moderated === true };
    });
    const apiForum = toApiChannel(this.state, forum);
    this.dispatch('CHANNEL_UPDATE', apiForum);
    return { status: 200, body: apiForum };
  }

  // ----- guilds and members -----

  /** The guild id, if the guild exists; 404 / 10004 otherwise. */
  private requireGuild(guildId: string | undefined): string {
    if (guildId === undefined || !this.state.guilds.has(guildId)) throw fail(404, E.UnknownGuild);
    return guildId;
  }

  private getGuild({ params }: RouteContext): RouteResult {
    const guildId = this.requireGuild(params[0]);
    // REST guild objects carry no members/channels/presences: those come only with GUILD_CREATE.
    const { members: _m, channels: _c, threads: _t, presences: _p, voice_states: _v, joined_at: _j, large: _l, member_count: _n, unavailable: _u, ...guild } = toGuildCreate(this.state, guildId);
    return { status: 200, body: guild };
  }

  private getMember({ params }: RouteContext): RouteResult {
    const guildId = this.requireGuild(params[0]);
    const member = this.state.member(guildId, params[1] ?? '');
    if (!member) throw fail(404, E.UnknownMember);
    return { status: 200, body: toApiMember(this.state, member) };
  }

  private memberRole({ params }: RouteContext, add: boolean): RouteResult {
    const [guildId = '', userId = '', roleId = ''] = params;
    this.requireGuild(guildId);
    const member = this.state.member(guildId, userId);
    if (!member) throw fail(404, E.UnknownMember);
    const role = this.state.roles.get(roleId);
    if (!role || role.guildId !== guildId) throw fail(404, E.UnknownRole);
    const subject = this.state.permissionSubject(guildId, this.state.bot.id);
    const botGuildPermissions = subject ? guildPermissions(subject) : 0n;
    // Manage Roles, and only for roles strictly below the bot's highest role; managed roles never.
    if (!hasPermissions(botGuildPermissions, Permission.ManageRoles) || role.position >= this.state.topRolePosition(guildId, this.state.bot.id) || role.botId !== null) {
      throw fail(403, E.MissingPermissions);
    }
    const had = member.roleIds.includes(role.id);
    if (add && !had) member.roleIds.push(role.id);
    if (!add && had) member.roleIds = member.roleIds.filter((id) => id !== role.id);
    if (add !== had) this.dispatch('GUILD_MEMBER_UPDATE', { guild_id: guildId, ...toApiMember(this.state, member) });
    return { status: 204 };
  }

  // ----- application commands -----

  private requireApplication(applicationId: string | undefined): void {
    if (applicationId !== this.state.applicationId) throw fail(403, E.MissingAccess);
  }

  private listCommands({ params }: RouteContext, guildId: string | null): RouteResult {
    this.requireApplication(params[0]);
    if (guildId !== null) this.requireGuild(guildId);
    return { status: 200, body: this.state.commandsOf(guildId).map((c) => toApiCommand(this.state, c)) };
  }

  private storeCommand(guildId: string | null, body: Record<string, unknown>): string {
    const type = typeof body.type === 'number' ? body.type : 1;
    const existing = this.state.commandsOf(guildId).find((c) => c.body.name === body.name && ((c.body.type as number | undefined) ?? 1) === type);
    // Discord keeps a command's id when a bulk overwrite re-registers the same name and type.
    const id = existing?.id ?? this.state.ids.next();
    this.state.commands.set(id, { id, guildId, version: this.state.ids.next(), body: { ...body, type } });
    return id;
  }

  private overwriteCommands({ request, params }: RouteContext, guildId: string | null): RouteResult {
    this.requireApplication(params[0]);
    if (guildId !== null) this.requireGuild(guildId);
    const validation = validateCommands(request.body);
    if (validation) throw invalid(validation);
    const bodies = (request.body as unknown[]).filter(isRecord);
    const keep = new Set(bodies.map((b) => this.storeCommand(guildId, b)));
    for (const command of this.state.commandsOf(guildId)) if (!keep.has(command.id)) this.state.commands.delete(command.id);
    return { status: 200, body: this.state.commandsOf(guildId).map((c) => toApiCommand(this.state, c)) };
  }

  private createCommand({ request, params }: RouteContext, guildId: string | null): RouteResult {
    this.requireApplication(params[0]);
    if (guildId !== null) this.requireGuild(guildId);
    const validation = validateCommands([request.body]);
    if (validation) throw invalid({ errors: (validation.errors['0'] as Record<string, unknown> | undefined) ?? validation.errors, issues: validation.issues });
    const id = this.storeCommand(guildId, bodyOf(request));
    const command = this.state.commands.get(id);
    return { status: 201, body: command && toApiCommand(this.state, command) };
  }

  // ----- interactions -----

  private interactionCallback({ request, params }: RouteContext): RouteResult {
    const [id = '', token = ''] = params;
    const interaction = this.state.interactions.get(id);
    if (!interaction || interaction.token !== token) throw fail(404, E.UnknownInteraction);
    if (interaction.callbackType !== null) throw fail(400, E.InteractionAlreadyAcknowledged, 'interaction-already-acknowledged');
    const age = Date.now() - interaction.createdAt;
    if (age > this.options.interactionAckDeadlineMs) {
      throw fail(404, E.UnknownInteraction, 'interaction-expired', `Unknown interaction (acknowledged after ${age} ms; the limit is ${this.options.interactionAckDeadlineMs} ms)`);
    }

    const body = bodyOf(request);
    const type = Number(body.type);
    const allowed: Record<number, readonly number[]> = {
      [InteractionTypes.ApplicationCommand]: [4, 5, 9],
      [InteractionTypes.MessageComponent]: [4, 5, 6, 7, 9],
      [InteractionTypes.ApplicationCommandAutocomplete]: [8],
      [InteractionTypes.ModalSubmit]: [4, 5, 6, 7],
    };
    if (!(allowed[interaction.type] ?? []).includes(type)) {
      throw invalid(
        {
          errors: { type: { _errors: [{ code: 'INTERACTION_RESPONSE_TYPE_INVALID', message: `Callback type ${type} is not valid for interaction type ${interaction.type}` }] } },
          issues: [{ path: 'type', code: 'INTERACTION_RESPONSE_TYPE_INVALID', message: `Callback type ${type} is not valid for interaction type ${interaction.type}` }],
        },
        'interaction-callback-type',
      );
    }
    const validation = validateInteractionCallback(body, request.files.length);
    if (validation) throw invalid(validation);
    const data = isRecord(body.data) ? body.data : {};
    if (type === CallbackTypes.ChannelMessageWithSource && isEmptyMessage(data, request.files.length)) {
      throw fail(400, E.CannotSendEmptyMessage, 'empty-message');
    }

    const flags = typeof data.flags === 'number' ? data.flags : 0;
    let message: StoredMessage | undefined;
    switch (type) {
      case CallbackTypes.ChannelMessageWithSource:
        message = this.interactionMessage(interaction, data, flags, this.attachmentsFrom(request, data));
        break;
      case CallbackTypes.DeferredChannelMessageWithSource:
        // "<bot> is thinking…": a placeholder that @original edits (or the first follow-up replaces).
        message = this.interactionMessage(interaction, {}, (flags & Flags.Ephemeral) | Flags.Loading, []);
        break;
      case CallbackTypes.UpdateMessage:
      case CallbackTypes.DeferredUpdateMessage: {
        message = interaction.messageId === null ? undefined : this.state.messages.get(interaction.messageId);
        if (message && type === CallbackTypes.UpdateMessage) {
          this.state.editMessage(message, data, this.attachmentsFrom(request, data));
          this.announceUpdate(message);
        }
        break;
      }
      default:
        break;
    }
    interaction.callbackType = type;
    interaction.acknowledgedAt = Date.now();
    interaction.originalMessageId = message?.id ?? null;

    if (request.query.with_response !== 'true') return { status: 204 };
    return {
      status: 200,
      body: {
        interaction: {
          id: interaction.id,
          type: interaction.type,
          ...(message
            ? {
                response_message_id: message.id,
                response_message_loading: (message.flags & Flags.Loading) !== 0,
                response_message_ephemeral: message.ephemeral,
              }
            : {}),
        },
        resource: { type, ...(message ? { message: toApiMessage(this.api, message) } : {}) },
      },
    };
  }

  private interactionMessage(interaction: StoredInteraction, data: Record<string, unknown>, flags: number, attachments: StoredAttachment[]): StoredMessage {
    const message = this.state.createMessage({
      channelId: interaction.channelId,
      content: typeof data.content === 'string' ? data.content : '',
      embeds: Array.isArray(data.embeds) ? data.embeds : [],
      components: Array.isArray(data.components) ? data.components : [],
      attachments,
      flags,
      type: interaction.type === InteractionTypes.ApplicationCommand ? MessageTypes.ChatInputCommand : MessageTypes.Default,
      webhookId: this.state.applicationId,
      interaction: { id: interaction.id, type: interaction.type, userId: interaction.userId, name: interaction.commandName },
      ephemeral: (flags & Flags.Ephemeral) !== 0,
    });
    this.announceCreate(message);
    return message;
  }

  /** The interaction behind an interaction webhook (`/webhooks/{application}/{token}`). */
  private interactionForWebhook(applicationId: string | undefined, token: string | undefined): StoredInteraction {
    const interaction = [...this.state.interactions.values()].find((i) => i.token === token);
    if (applicationId !== this.state.applicationId || !interaction) throw fail(404, E.UnknownWebhook);
    // The token only becomes a webhook once the interaction has been acknowledged.
    if (interaction.callbackType === null) throw fail(404, E.UnknownWebhook, 'webhook-before-ack');
    return interaction;
  }

  private followUp({ request, params }: RouteContext): RouteResult {
    const interaction = this.interactionForWebhook(params[0], params[1]);
    this.validateMessage(request, true);
    const body = bodyOf(request);
    const original = interaction.originalMessageId === null ? undefined : this.state.messages.get(interaction.originalMessageId);
    if (original && (original.flags & Flags.Loading) !== 0) {
      // Discord quirk: the first follow-up after a deferred reply *replaces* the "thinking…"
      // placeholder instead of posting a new message, and keeps the defer's ephemeral flag
      // (editMessage leaves that bit alone, as Discord does for any edit).
      this.state.editMessage(original, body, this.attachmentsFrom(request));
      original.flags &= ~Flags.Loading;
      this.announceUpdate(original);
      return { status: 200, body: toApiMessage(this.api, original) };
    }
    const flags = typeof body.flags === 'number' ? body.flags : 0;
    const message = this.interactionMessage(interaction, body, flags, this.attachmentsFrom(request));
    return { status: 200, body: toApiMessage(this.api, message) };
  }

  private webhookMessage({ request, params }: RouteContext, action: 'get' | 'edit' | 'delete'): RouteResult {
    const interaction = this.interactionForWebhook(params[0], params[1]);
    const messageId = params[2] ?? interaction.originalMessageId;
    const message = messageId === null || messageId === undefined ? undefined : this.state.messages.get(messageId);
    const belongs = message !== undefined && (message.id === interaction.originalMessageId || message.interaction?.id === interaction.id);
    if (!message || !belongs || message.deleted) throw fail(404, E.UnknownMessage);
    if (action === 'get') return { status: 200, body: toApiMessage(this.api, message) };
    if (action === 'delete') {
      message.deleted = true;
      if (!message.ephemeral) this.dispatch('MESSAGE_DELETE', { id: message.id, channel_id: message.channelId, ...(message.guildId !== null ? { guild_id: message.guildId } : {}) });
      return { status: 204 };
    }
    this.validateMessage(request, false);
    this.state.editMessage(message, bodyOf(request), this.attachmentsFrom(request));
    message.flags &= ~Flags.Loading;
    this.announceUpdate(message);
    return { status: 200, body: toApiMessage(this.api, message) };
  }
}
