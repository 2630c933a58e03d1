/**
 * The sandbox client API: what a Discord client does for a person, over HTTP and a WebSocket,
 * so a browser page can be a small Discord server in front of the fake Discord.
 *
 *   GET  /sandbox/api/state?as=ID    guild, channels, roles, people, registered commands, messages, violations
 *   POST /sandbox/api/interactions   a slash command, autocomplete, button or select as one of the people
 *   POST /sandbox/api/reactions      add or remove a reaction as one of the people
 *   WS   /sandbox/ws?as=ID           new and edited messages, violations, interactions nobody answered
 *
 * `as` is the person the page views the server as (its person switch): an ephemeral message and
 * an unanswered interaction reach only their person's view, as on Discord. Without `as` a page
 * sees what nobody in particular sees (no ephemeral messages).
 *
 * Everything goes through the fake's own injection (INTERACTION_CREATE, MESSAGE_REACTION_*), so
 * the bot sees exactly what it sees in the tests, and every payload it sends back is validated
 * against Discord's limits as always: violations are streamed to the page instead of failing a test.
 * Inputs are bounded and checked here; the page is trusted no more than a test is. A slash command's
 * options are checked against the registered command (command-options.ts) as Discord checks them.
 * Which origins may call this at all is the page server's business (sandbox/page-guard.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { z } from 'zod';
import { validateCommandOptions } from './command-options.js';
import type { FakeDiscord } from './fake-discord.js';
import type { RecordedRequest, Violation } from './recorder.js';
import { ChannelTypes, type StoredChannel, type StoredMessage } from './state.js';

/** One person the page can act as. */
export interface ClientPerson {
  readonly id: string;
  /** Shown in the person switch, e.g. "Ada (server admin)". */
  readonly label: string;
}

export interface MessageView {
  readonly id: string;
  readonly channelId: string;
  readonly author: { readonly id: string; readonly name: string; readonly bot: boolean };
  readonly content: string;
  readonly embeds: unknown[];
  readonly components: unknown[];
  readonly attachments: { readonly id: string; readonly filename: string; readonly url: string; readonly contentType: string }[];
  readonly createdAt: number;
  readonly editedAt: number | null;
  /** Ephemeral replies are shown only to `visibleTo`, marked "Only you can see this". */
  readonly ephemeral: boolean;
  readonly visibleTo: string | null;
  /** "<user> used /<command>" above an interaction reply. */
  readonly interaction: { readonly name: string | null; readonly userId: string; readonly userName: string } | null;
  /** A deferred reply still "thinking". */
  readonly loading: boolean;
  readonly deleted: boolean;
  readonly reactions: { readonly emoji: string; readonly users: string[] }[];
}

export type ClientEvent =
  | { readonly type: 'message'; readonly message: MessageView }
  | { readonly type: 'violation'; readonly violation: ViolationView }
  | { readonly type: 'interaction-failed'; readonly interactionId: string; readonly userId: string; readonly channelId: string; readonly name: string | null }
  | { readonly type: 'status'; readonly status: unknown };

export interface ViolationView {
  readonly kind: string;
  readonly summary: string;
  readonly at: number;
}

export interface ClientApi {
  /** Answers a request under /sandbox/api; returns false for other paths. */
  handle(request: IncomingMessage, response: ServerResponse, url: URL): Promise<boolean>;
  /** Takes the WebSocket upgrade for /sandbox/ws; returns false for other paths. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  /** Sends an event to every open page that may see it (the sandbox adds its own `status` events). */
  broadcast(event: ClientEvent): void;
  close(): void;
}

/** Bodies the page may send: a person acts, so the limits are Discord's own where it has them. */
const MAX_BODY_BYTES = 64 * 1024;
/** Messages per channel in the state answer; older ones are what Discord's client would page in. */
const MAX_MESSAGES_PER_CHANNEL = 200;
const MAX_SOCKETS = 32;
/** A page that misses one ping (a closed laptop, a half-open connection) is dropped at the next. */
const DEFAULT_HEARTBEAT_MS = 30_000;
/** A page this far behind (a frozen tab, a slow link) is dropped; it reloads the state when it reconnects. */
const DEFAULT_MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
/** Discord shows "The application did not respond" when the first response misses 3 s. */
const DEFAULT_ACK_WAIT_MS = 3_500;
/** Full command names ("paper search") of recent slash commands, for "used /paper search". */
const MAX_COMMAND_NAMES = 1_000;

const snowflake = z.string().regex(/^\d{17,20}$/);
const optionValue = z.union([z.string().max(6000), z.number().finite(), z.boolean()]);
const commandFields = {
  user: snowflake,
  channelId: snowflake,
  name: z.string().min(1).max(32),
  subcommandGroup: z.string().min(1).max(32).optional(),
  subcommand: z.string().min(1).max(32).optional(),
  options: z
    .record(z.string().min(1).max(32), optionValue)
    .refine((options) => Object.keys(options).length <= 25, 'at most 25 options')
    .default({}),
};
const interactionSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('command'), ...commandFields }),
  z.object({ kind: z.literal('autocomplete'), ...commandFields, focused: z.object({ name: z.string().min(1).max(32), value: z.string().max(6000) }) }),
  z.object({ kind: z.literal('button'), user: snowflake, messageId: snowflake, customId: z.string().min(1).max(100) }),
  z.object({
    kind: z.literal('select'),
    user: snowflake,
    messageId: snowflake,
    customId: z.string().min(1).max(100),
    values: z.array(z.string().max(100)).max(25),
    componentType: z.number().int().min(3).max(8).optional(),
  }),
]);
const reactionSchema = z.object({
  user: snowflake,
  messageId: snowflake,
  emoji: z.string().min(1).max(32),
  action: z.enum(['add', 'remove']),
});

class ClientError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  response.end(text);
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new ClientError(413, `body over ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new ClientError(400, 'body is not JSON');
  }
}

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body);
  if (!result.success) throw new ClientError(400, result.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
  return result.data;
}

const SEEN_CHANNEL_TYPES: ReadonlySet<number> = new Set([ChannelTypes.text, ChannelTypes.announcement, ChannelTypes.category]);

export function createClientApi(
  fake: FakeDiscord,
  options: {
    readonly people: readonly ClientPerson[];
    /** How long to wait for the bot's first response before telling the page it did not respond. */
    readonly ackWaitMs?: number;
    /** Ping interval; a socket that has not answered the previous ping is dropped. */
    readonly heartbeatMs?: number;
    /** A socket with more than this many bytes not yet sent is dropped instead of buffering more. */
    readonly maxBufferedBytes?: number;
  },
): ClientApi {
  const ackWaitMs = options.ackWaitMs ?? DEFAULT_ACK_WAIT_MS;
  const maxBufferedBytes = options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES;
  const { state } = fake;
  const people = new Map(options.people.map((p) => [p.id, p]));
  /** Open pages: whom each views the server as (null: nobody in particular), and whether it answered the last ping. */
  const sockets = new Map<WebSocket, { readonly viewer: string | null; alive: boolean }>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 });
  let violationsSent = fake.violations.length;
  const commandNames = new Map<string, string>();

  const toView = (message: StoredMessage): MessageView => {
    const author = state.users.get(message.authorId);
    const interaction = message.interaction;
    return {
      id: message.id,
      channelId: message.channelId,
      author: { id: message.authorId, name: author?.globalName ?? author?.username ?? 'unknown', bot: author?.bot ?? false },
      content: message.content,
      embeds: message.embeds,
      components: message.components,
      attachments: message.attachments.map((a) => ({
        id: a.id,
        filename: a.filename,
        url: `${fake.origin}/attachments/${message.channelId}/${a.id}/${encodeURIComponent(a.filename)}`,
        contentType: a.contentType,
      })),
      createdAt: message.createdAt,
      editedAt: message.editedAt,
      ephemeral: message.ephemeral,
      visibleTo: message.ephemeral ? (interaction?.userId ?? null) : null,
      interaction:
        interaction === null
          ? null
          : { name: commandNames.get(interaction.id) ?? interaction.name, userId: interaction.userId, userName: state.users.get(interaction.userId)?.globalName ?? 'someone' },
      // Discord's LOADING flag (1 << 7): a deferred reply before its edit.
      loading: (message.flags & (1 << 7)) !== 0,
      deleted: message.deleted,
      reactions: [...message.reactions.values()].map((r) => ({ emoji: r.emoji.id === null ? r.emoji.name : `:${r.emoji.name}:`, users: [...r.users] })),
    };
  };

  const toViolationView = (violation: Violation): ViolationView => ({ kind: violation.kind, summary: violation.summary, at: violation.request.at });

  const drop = (socket: WebSocket): void => {
    sockets.delete(socket);
    socket.terminate();
  };

  /** Who may see an event: one person for an ephemeral message or a failed interaction, else everyone. */
  const audience = (event: ClientEvent): { readonly only: string | null } | 'everyone' => {
    if (event.type === 'message' && event.message.ephemeral) return { only: event.message.visibleTo };
    if (event.type === 'interaction-failed') return { only: event.userId };
    return 'everyone';
  };

  const broadcast = (event: ClientEvent): void => {
    const to = audience(event);
    const text = JSON.stringify(event);
    const bytes = Buffer.byteLength(text);
    for (const [socket, connection] of sockets) {
      if (socket.readyState !== socket.OPEN) continue;
      if (to !== 'everyone' && (to.only === null || connection.viewer !== to.only)) continue;
      // Backpressure: a page that does not read is dropped, not buffered for without bound.
      if (socket.bufferedAmount + bytes > maxBufferedBytes) drop(socket);
      else socket.send(text);
    }
  };

  const heartbeat = setInterval(() => {
    for (const [socket, connection] of sockets) {
      if (!connection.alive) {
        drop(socket);
        continue;
      }
      connection.alive = false;
      socket.ping();
    }
  }, options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS);
  heartbeat.unref();

  /** Messages a request may have created or changed: ids in its path, its answer, its interaction's. */
  const touchedMessages = (request: RecordedRequest): Set<string> => {
    const ids = new Set<string>();
    const segments = request.path.split('/');
    for (const segment of segments) if (state.messages.has(segment)) ids.add(segment);
    const answered = request.response as { id?: unknown } | undefined;
    if (typeof answered?.id === 'string' && state.messages.has(answered.id)) ids.add(answered.id);
    const interaction =
      request.route.startsWith('/interactions/')
        ? state.interactions.get(segments[2] ?? '')
        : request.route.startsWith('/webhooks/')
          ? [...state.interactions.values()].find((i) => i.token === segments[3])
          : undefined;
    if (interaction?.originalMessageId) ids.add(interaction.originalMessageId);
    if (interaction?.messageId) ids.add(interaction.messageId);
    return ids;
  };

  const unsubscribe = fake.onRequest((request) => {
    if (request.method !== 'GET' && request.status >= 200 && request.status < 300) {
      for (const id of touchedMessages(request)) {
        const message = state.messages.get(id);
        if (message) broadcast({ type: 'message', message: toView(message) });
      }
    }
    while (violationsSent < fake.violations.length) {
      const violation = fake.violations[violationsSent++];
      if (violation) broadcast({ type: 'violation', violation: toViolationView(violation) });
    }
  });

  const person = (userId: string): string => {
    if (!people.has(userId)) throw new ClientError(403, 'not one of the sandbox people');
    return userId;
  };

  /** `?as=`: the person a page views the server as; absent, nobody in particular. */
  const viewerOf = (url: URL): string | null => {
    const viewer = url.searchParams.get('as');
    return viewer === null || viewer === '' ? null : person(viewer);
  };

  const visibleTo = (message: StoredMessage, viewer: string | null): boolean => !message.ephemeral || (viewer !== null && message.interaction?.userId === viewer);

  const channelFor = (channelId: string): StoredChannel => {
    const channel = state.channels.get(channelId);
    if (!channel || (channel.type !== ChannelTypes.text && channel.type !== ChannelTypes.announcement)) throw new ClientError(404, 'no such text channel');
    return channel;
  };

  const messageFor = (messageId: string, userId: string): StoredMessage => {
    const message = state.messages.get(messageId);
    // Someone else's ephemeral message does not exist for this person.
    if (!message || message.deleted || !visibleTo(message, userId)) throw new ClientError(404, 'no such message');
    return message;
  };

  const channelsPermissions = (userId: string, channelIds: readonly string[]): Record<string, string> =>
    Object.fromEntries(channelIds.map((id) => [id, state.permissionsIn(state.channel(id), userId).toString()]));

  const snapshot = (viewer: string | null) => {
    const guild = state.guild();
    const channels = state
      .channelsOf(guild.id)
      .filter((c) => SEEN_CHANNEL_TYPES.has(c.type))
      .sort((a, b) => a.position - b.position)
      .map((c) => ({ id: c.id, name: c.name, type: c.type, parentId: c.parentId, topic: c.topic }));
    const messages = channels.flatMap((c) =>
      [...state.messages.values()]
        .filter((m) => m.channelId === c.id && !m.deleted && visibleTo(m, viewer))
        .slice(-MAX_MESSAGES_PER_CHANNEL)
        .map(toView),
    );
    return {
      guild: { id: guild.id, name: guild.name },
      botUserId: fake.botUserId,
      channels,
      roles: state.rolesOf(guild.id).map((r) => ({ id: r.id, name: r.name, managed: r.botId !== null })),
      people: options.people.map((p) => ({
        ...p,
        name: state.users.get(p.id)?.globalName ?? p.label,
        // What the person's own Discord client knows: their permissions, to hide commands they may not use.
        permissions: state.permissionSubject(guild.id, p.id) ? channelsPermissions(p.id, channels.map((c) => c.id)) : {},
      })),
      commands: [...state.commandsOf(guild.id), ...state.commandsOf(null)].map((c) => c.body),
      messages,
      violations: fake.violations.map(toViolationView),
    };
  };

  const interact = async (body: z.infer<typeof interactionSchema>): Promise<unknown> => {
    const user = person(body.user);
    if (body.kind === 'command' || body.kind === 'autocomplete') {
      const channel = channelFor(body.channelId);
      const spec = {
        name: body.name,
        ...(body.subcommandGroup !== undefined ? { subcommandGroup: body.subcommandGroup } : {}),
        ...(body.subcommand !== undefined ? { subcommand: body.subcommand } : {}),
        options: body.options,
        channelId: body.channelId,
        user,
      };
      // Discord's client sends only what the registered command allows; the bot relies on it.
      const problems = validateCommandOptions(body.kind === 'autocomplete' ? { ...spec, focused: body.focused } : spec, {
        state,
        guildId: channel.guildId ?? '',
        commands: [...state.commandsOf(channel.guildId), ...state.commandsOf(null)],
      });
      if (problems.length > 0) throw new ClientError(400, `Discord would not send this: ${problems.join('; ')}`);
      if (body.kind === 'autocomplete') {
        const injected = fake.injectAutocomplete({ ...spec, focused: body.focused });
        const callback = await injected.firstResponse(ackWaitMs).catch(() => undefined);
        const data = (callback?.body as { data?: { choices?: unknown } } | undefined)?.data;
        return { interactionId: injected.id, choices: Array.isArray(data?.choices) ? data.choices : [] };
      }
      const injected = fake.injectSlashCommand(spec);
      commandNames.set(injected.id, [body.name, body.subcommandGroup, body.subcommand].filter(Boolean).join(' '));
      if (commandNames.size > MAX_COMMAND_NAMES) commandNames.delete(commandNames.keys().next().value!);
      return watch(injected, user, body.channelId, body.name);
    }
    const message = messageFor(body.messageId, user);
    const injected =
      body.kind === 'button'
        ? fake.injectButton({ customId: body.customId, messageId: message.id, user })
        : fake.injectSelect({ customId: body.customId, messageId: message.id, values: body.values, user, ...(body.componentType !== undefined ? { componentType: body.componentType } : {}) });
    return watch(injected, user, message.channelId, null);
  };

  /** Answers at once; tells the page when the bot misses Discord's 3 s, as Discord's client does. */
  const watch = (injected: ReturnType<FakeDiscord['injectInteraction']>, userId: string, channelId: string, name: string | null) => {
    injected.firstResponse(ackWaitMs).catch(() => broadcast({ type: 'interaction-failed', interactionId: injected.id, userId, channelId, name }));
    return { interactionId: injected.id };
  };

  const react = (body: z.infer<typeof reactionSchema>): unknown => {
    const user = person(body.user);
    const message = messageFor(body.messageId, user);
    if (message.ephemeral) throw new ClientError(400, 'ephemeral messages take no reactions');
    fake.injectReaction({ action: body.action, userId: user, channelId: message.channelId, messageId: message.id, emoji: body.emoji });
    broadcast({ type: 'message', message: toView(message) });
    return { ok: true };
  };

  return {
    async handle(request, response, url) {
      if (!url.pathname.startsWith('/sandbox/api/')) return false;
      const route = `${request.method ?? 'GET'} ${url.pathname}`;
      try {
        if (route === 'GET /sandbox/api/state') sendJson(response, 200, snapshot(viewerOf(url)));
        else if (route === 'POST /sandbox/api/interactions') sendJson(response, 200, await interact(parse(interactionSchema, await readJson(request))));
        else if (route === 'POST /sandbox/api/reactions') sendJson(response, 200, react(parse(reactionSchema, await readJson(request))));
        else return false;
      } catch (error) {
        if (error instanceof ClientError) sendJson(response, error.status, { error: error.message });
        // The fake throws plain errors for impossible injections (no gateway session yet).
        else sendJson(response, 503, { error: error instanceof Error ? error.message : String(error) });
      }
      return true;
    },
    handleUpgrade(request, socket, head) {
      const url = new URL(request.url ?? '/', 'http://127.0.0.1');
      if (url.pathname !== '/sandbox/ws') return false;
      let viewer: string | null;
      try {
        viewer = viewerOf(url);
      } catch {
        socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return true;
      }
      if (sockets.size >= MAX_SOCKETS) {
        socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return true;
      }
      wss.handleUpgrade(request, socket, head, (ws) => {
        const connection = { viewer, alive: true };
        sockets.set(ws, connection);
        ws.on('pong', () => {
          connection.alive = true;
        });
        ws.on('close', () => sockets.delete(ws));
        ws.on('error', () => drop(ws));
      });
      return true;
    },
    broadcast,
    close() {
      unsubscribe();
      clearInterval(heartbeat);
      for (const socket of sockets.keys()) socket.terminate();
      sockets.clear();
      wss.close();
    },
  };
}
