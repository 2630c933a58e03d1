/**
 * The fake gateway: Discord's WebSocket protocol as @discordjs/ws 1.2 speaks it.
 *
 * JSON text frames, no compression (discord.js only asks for zlib-stream when the optional
 * `zlib-sync` package is installed). Per connection: HELLO → IDENTIFY (new session: READY,
 * then one GUILD_CREATE per guild) or RESUME (replay what was missed, then RESUMED).
 * Heartbeats are acknowledged at once; a client that misses an ack treats the connection as a
 * zombie and resumes.
 *
 * A session outlives its socket: dispatches made while the client is disconnected are
 * numbered and buffered, and replayed on RESUME — exactly what lets a bot survive a drop
 * without losing interactions. Events the session's intents do not cover are not sent at all
 * (they are listed in `filtered`), as Discord does.
 *
 * Sharding as Discord does it: IDENTIFY carries `shard: [id, count]`, and each shard's session
 * receives only the events of its servers, `(guild_id >> 22) % count` — READY's guild list,
 * the GUILD_CREATEs, interactions, reactions. Events outside any server go to shard 0. A client
 * that sends no `shard` is shard [0, 1], which owns every server.
 *
 * IDENTIFY is rate limited as Discord does it: `max_concurrency` buckets (`shard_id %
 * max_concurrency`), one accepted IDENTIFY per bucket per window (Discord: 5 s). One that comes
 * sooner gets op 9 INVALID_SESSION with `d: false` and no session; the client must wait and
 * identify again. Refused ones are listed in `refusedIdentifies`, not in `identifies`.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { GatewayIntentBits } from 'discord.js';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { shardOfGuild } from './snowflake.js';

export const GatewayOps = {
  Dispatch: 0,
  Heartbeat: 1,
  Identify: 2,
  PresenceUpdate: 3,
  VoiceStateUpdate: 4,
  Resume: 6,
  Reconnect: 7,
  RequestGuildMembers: 8,
  InvalidSession: 9,
  Hello: 10,
  HeartbeatAck: 11,
} as const;

/** Close codes the fake uses; 4000–4009 (except 4004) let discord.js resume. */
export const GatewayCloseCodes = {
  UnknownError: 4000,
  UnknownOpcode: 4001,
  DecodeError: 4002,
  NotAuthenticated: 4003,
  AuthenticationFailed: 4004,
  AlreadyAuthenticated: 4005,
  InvalidShard: 4010,
  InvalidIntents: 4013,
} as const;

/**
 * How to break the connection:
 * - `resumable-close`: close with 4000 (Discord's "unknown error, reconnect"); the client resumes.
 * - `abnormal`: drop the TCP connection without a close frame (the client sees 1006); it resumes.
 * - `reconnect-request`: send op 7 RECONNECT; the client closes itself and resumes.
 * - `invalid-session`: send op 9 with `d: false`; the client must IDENTIFY again (discord.js
 *   waits up to ~6.5 s for its identify throttle before it does).
 */
export type GatewayDrop = 'resumable-close' | 'abnormal' | 'reconnect-request' | 'invalid-session';

export interface ReceivedFrame {
  readonly connection: number;
  readonly op: number;
  /** The frame's data with any `token` replaced by '[redacted]'. */
  readonly d: unknown;
  readonly at: number;
}

export interface IdentifyRecord {
  readonly connection: number;
  readonly sessionId: string;
  readonly intents: number;
  readonly shard: readonly [number, number] | null;
  readonly properties: unknown;
  readonly at: number;
}

export interface RefusedIdentifyRecord {
  readonly connection: number;
  /** As sent; null when the IDENTIFY had no `shard` (shard 0 of 1). */
  readonly shard: readonly [number, number] | null;
  /** `shard_id % max_concurrency`. */
  readonly bucket: number;
  /** How long after the bucket's last accepted IDENTIFY this one came. */
  readonly sinceAcceptedMs: number;
  readonly at: number;
}

export interface ResumeRecord {
  readonly connection: number;
  readonly sessionId: string;
  readonly seq: number | null;
  /** The URL path the client connected to (discord.js resumes on `resume_gateway_url`). */
  readonly path: string;
  readonly replayed: number;
  /** False when the session was unknown and op 9 was sent instead. */
  readonly accepted: boolean;
  readonly at: number;
}

export interface DispatchRecord {
  readonly t: string;
  readonly s: number;
  readonly d: unknown;
  readonly at: number;
  /** Whether a socket was open when it was dispatched (otherwise it waits for a RESUME). */
  readonly sentLive: boolean;
}

export interface FilteredDispatch {
  readonly t: string;
  readonly d: unknown;
  readonly at: number;
  readonly reason: 'missing-intent' | 'no-session';
}

export interface GatewayHooks {
  /** READY's `d` for a new session (listing only the shard's guilds). */
  ready(sessionId: string, resumeUrl: string, shard: readonly [number, number]): unknown;
  /** One GUILD_CREATE `d` per guild of the shard, sent right after READY. */
  guildCreates(shard: readonly [number, number]): unknown[];
  /** Members answering an op 8 request (`d` of the request). */
  guildMembers(request: Record<string, unknown>): { guildId: string; members: unknown[] } | null;
}

export interface GatewayOptions {
  readonly heartbeatIntervalMs: number;
  /** When set, IDENTIFY/RESUME with another token is closed with 4004. */
  readonly token?: string;
  /** How many dispatches a session keeps for replay. */
  readonly replayBufferSize?: number;
  /** `session_start_limit.max_concurrency`: how many IDENTIFY buckets there are. Default 1. */
  readonly maxConcurrency?: number;
  /** Per bucket, at most one accepted IDENTIFY per this many ms. Default 5000, Discord's window. */
  readonly identifyWindowMs?: number;
}

/** A shard's session as tests see it. */
export interface ShardSession {
  readonly shard: readonly [number, number];
  readonly sessionId: string;
  readonly connected: boolean;
}

interface Session {
  readonly id: string;
  readonly intents: number;
  readonly shard: readonly [number, number];
  seq: number;
  readonly buffer: { readonly s: number; readonly frame: string }[];
  socket: WebSocket | null;
}

const I = GatewayIntentBits;

/** The intent an event needs, or 0 when every session gets it. */
function requiredIntent(t: string, d: unknown): number {
  const inGuild = typeof d === 'object' && d !== null && typeof (d as { guild_id?: unknown }).guild_id === 'string';
  if (t.startsWith('MESSAGE_REACTION_')) return inGuild ? I.GuildMessageReactions : I.DirectMessageReactions;
  if (t === 'MESSAGE_CREATE' || t === 'MESSAGE_UPDATE' || t === 'MESSAGE_DELETE') return inGuild ? I.GuildMessages : I.DirectMessages;
  if (t.startsWith('GUILD_MEMBER_') && t !== 'GUILD_MEMBERS_CHUNK') return I.GuildMembers;
  if (t.startsWith('GUILD_') && t !== 'GUILD_MEMBERS_CHUNK') return I.Guilds;
  if (t.startsWith('CHANNEL_') || t.startsWith('THREAD_')) return I.Guilds;
  return 0;
}

/** The server an event belongs to, or null (DMs, the bot's own user): Discord sends those to shard 0. */
function guildIdOf(t: string, d: unknown): string | null {
  if (typeof d !== 'object' || d === null) return null;
  const { guild_id: guildId, id } = d as { guild_id?: unknown; id?: unknown };
  if (typeof guildId === 'string') return guildId;
  if ((t === 'GUILD_CREATE' || t === 'GUILD_UPDATE' || t === 'GUILD_DELETE') && typeof id === 'string') return id;
  return null;
}

function ownsEvent(shard: readonly [number, number], guildId: string | null): boolean {
  return guildId === null ? shard[0] === 0 : shardOfGuild(guildId, shard[1]) === shard[0];
}

function redactToken(d: unknown): unknown {
  if (typeof d !== 'object' || d === null || !('token' in d)) return d;
  return { ...(d as Record<string, unknown>), token: '[redacted]' };
}

type Waiter<T> = { readonly since: number; readonly resolve: (value: T) => void; readonly reject: (error: Error) => void; readonly timer: NodeJS.Timeout };

export class FakeGateway {
  readonly received: ReceivedFrame[] = [];
  readonly identifies: IdentifyRecord[] = [];
  readonly refusedIdentifies: RefusedIdentifyRecord[] = [];
  readonly resumes: ResumeRecord[] = [];
  readonly dispatched: DispatchRecord[] = [];
  readonly filtered: FilteredDispatch[] = [];
  heartbeats = 0;
  connections = 0;

  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly sessions = new Map<string, Session>();
  /** The most recently identified or resumed session (what single-shard tests talk to). */
  private active: Session | null = null;
  /** Shard id → its current session; a new IDENTIFY for a shard replaces the old session. */
  private readonly shardSessions = new Map<number, Session>();
  /** IDENTIFY bucket → when its last accepted IDENTIFY arrived (ms since epoch). */
  private readonly lastIdentifyAt = new Map<number, number>();
  private readonly identifyWaiters = new Set<Waiter<IdentifyRecord>>();
  private readonly resumeWaiters = new Set<Waiter<ResumeRecord>>();
  private closed = false;

  constructor(
    /** `ws://127.0.0.1:PORT`, without path. */
    private readonly origin: string,
    private readonly hooks: GatewayHooks,
    private readonly options: GatewayOptions,
  ) {
    this.wss.on('connection', (socket: WebSocket, request: IncomingMessage) => this.onConnection(socket, request));
  }

  get url(): string {
    return `${this.origin}/gateway`;
  }

  /** Discord hands out a separate host for resuming; a separate path lets tests see it used. */
  get resumeUrl(): string {
    return `${this.origin}/gateway/resume`;
  }

  /** Intents of the current session, once the client has identified. */
  get intents(): number | undefined {
    return this.active?.intents;
  }

  get connected(): boolean {
    return this.active?.socket?.readyState === WebSocket.OPEN;
  }

  /** Every shard's current session, by shard id. */
  get shards(): ShardSession[] {
    return [...this.shardSessions.values()]
      .sort((a, b) => a.shard[0] - b.shard[0])
      .map((s) => ({ shard: s.shard, sessionId: s.id, connected: s.socket?.readyState === WebSocket.OPEN }));
  }

  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (this.closed || !(request.url ?? '').startsWith('/gateway')) {
      socket.destroy();
      return;
    }
    this.wss.handleUpgrade(request, socket, head, (ws) => this.wss.emit('connection', ws, request));
  }

  /**
   * Sends (or buffers, while disconnected) a dispatch on the session of the shard that owns the
   * event's server. Returns false when it was not delivered: no session for that shard, or an
   * intent is missing.
   */
  dispatch(t: string, d: unknown): boolean {
    const guildId = guildIdOf(t, d);
    const session = [...this.shardSessions.values()].find((s) => ownsEvent(s.shard, guildId)) ?? null;
    const at = Date.now();
    if (!session) {
      this.filtered.push({ t, d, at, reason: 'no-session' });
      return false;
    }
    const intent = requiredIntent(t, d);
    if (intent !== 0 && (session.intents & intent) === 0) {
      this.filtered.push({ t, d, at, reason: 'missing-intent' });
      return false;
    }
    this.send(session, t, d);
    return true;
  }

  /** Breaks the connection of the latest session, or of one shard's session. */
  drop(how: GatewayDrop = 'resumable-close', shardId?: number): void {
    const target = shardId === undefined ? this.active : (this.shardSessions.get(shardId) ?? null);
    const socket = target?.socket;
    if (!socket || socket.readyState !== WebSocket.OPEN) throw new Error('fake discord: no open gateway connection to drop');
    switch (how) {
      case 'resumable-close':
        socket.close(GatewayCloseCodes.UnknownError, 'Unknown error');
        break;
      case 'abnormal':
        socket.terminate();
        break;
      case 'reconnect-request':
        socket.send(JSON.stringify({ op: GatewayOps.Reconnect, d: null, s: null, t: null }));
        break;
      case 'invalid-session':
        if (target) this.sessions.delete(target.id);
        socket.send(JSON.stringify({ op: GatewayOps.InvalidSession, d: false, s: null, t: null }));
        break;
    }
  }

  /** Resolves with the first IDENTIFY at index ≥ `since` (default: any). */
  waitForIdentify(options: { since?: number; timeoutMs?: number } = {}): Promise<IdentifyRecord> {
    return this.waitIn(this.identifies, this.identifyWaiters, 'IDENTIFY', options);
  }

  /** Resolves with the first accepted RESUME at index ≥ `since` (default: any). */
  waitForResume(options: { since?: number; timeoutMs?: number } = {}): Promise<ResumeRecord> {
    return this.waitIn(this.resumes, this.resumeWaiters, 'RESUME', options, (r) => r.accepted);
  }

  close(): void {
    this.closed = true;
    for (const client of this.wss.clients) client.terminate();
    this.wss.close();
    for (const waiters of [this.identifyWaiters, this.resumeWaiters] as Set<Waiter<unknown>>[]) {
      for (const waiter of waiters) {
        clearTimeout(waiter.timer);
        waiter.reject(new Error('fake discord: closed while waiting on the gateway'));
      }
      waiters.clear();
    }
  }

  private waitIn<T>(
    list: readonly T[],
    waiters: Set<Waiter<T>>,
    what: string,
    options: { since?: number; timeoutMs?: number },
    accept: (item: T) => boolean = () => true,
  ): Promise<T> {
    const since = options.since ?? 0;
    const found = list.slice(since).find(accept);
    if (found) return Promise.resolve(found);
    const timeoutMs = options.timeoutMs ?? 5000;
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter<T> = {
        since,
        resolve: (value) => {
          if (!accept(value)) return;
          waiters.delete(waiter);
          clearTimeout(waiter.timer);
          resolve(value);
        },
        reject,
        timer: setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`fake discord: no ${what} within ${timeoutMs} ms`));
        }, timeoutMs),
      };
      waiters.add(waiter);
    });
  }

  private notify<T>(list: T[], waiters: Set<Waiter<T>>, item: T): void {
    list.push(item);
    for (const waiter of [...waiters]) if (list.length - 1 >= waiter.since) waiter.resolve(item);
  }

  private send(session: Session, t: string, d: unknown): void {
    session.seq += 1;
    const frame = JSON.stringify({ op: GatewayOps.Dispatch, t, s: session.seq, d });
    session.buffer.push({ s: session.seq, frame });
    const limit = this.options.replayBufferSize ?? 1000;
    if (session.buffer.length > limit) session.buffer.splice(0, session.buffer.length - limit);
    const live = session.socket?.readyState === WebSocket.OPEN;
    if (live) session.socket?.send(frame);
    this.dispatched.push({ t, s: session.seq, d, at: Date.now(), sentLive: live });
  }

  private onConnection(socket: WebSocket, request: IncomingMessage): void {
    this.connections += 1;
    const connection = this.connections;
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    let session: Session | null = null;

    const raw = (payload: unknown): void => {
      if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(payload));
    };
    raw({ op: GatewayOps.Hello, d: { heartbeat_interval: this.options.heartbeatIntervalMs }, s: null, t: null });

    socket.on('close', () => {
      if (session?.socket === socket) session.socket = null;
    });

    socket.on('message', (data: RawData, isBinary: boolean) => {
      let frame: { op?: unknown; d?: unknown };
      try {
        if (isBinary) throw new Error('binary frame');
        frame = JSON.parse(data.toString()) as { op?: unknown; d?: unknown };
      } catch {
        socket.close(GatewayCloseCodes.DecodeError, 'Error while decoding payload.');
        return;
      }
      const op = typeof frame.op === 'number' ? frame.op : -1;
      const d = (typeof frame.d === 'object' && frame.d !== null ? frame.d : {}) as Record<string, unknown>;
      this.received.push({ connection, op, d: redactToken(frame.d), at: Date.now() });

      switch (op) {
        case GatewayOps.Heartbeat:
          this.heartbeats += 1;
          raw({ op: GatewayOps.HeartbeatAck, d: null, s: null, t: null });
          return;
        case GatewayOps.Identify: {
          if (session) return socket.close(GatewayCloseCodes.AlreadyAuthenticated, 'You sent more than one identify payload.');
          if (this.options.token !== undefined && d.token !== this.options.token) {
            return socket.close(GatewayCloseCodes.AuthenticationFailed, 'Authentication failed.');
          }
          if (typeof d.intents !== 'number') return socket.close(GatewayCloseCodes.InvalidIntents, 'Invalid intent(s).');
          const shard = Array.isArray(d.shard) ? ([Number(d.shard[0]), Number(d.shard[1])] as const) : null;
          const own = shard ?? ([0, 1] as const);
          if (!(Number.isInteger(own[1]) && own[1] >= 1 && Number.isInteger(own[0]) && own[0] >= 0 && own[0] < own[1])) {
            return socket.close(GatewayCloseCodes.InvalidShard, 'Invalid shard.');
          }
          const bucket = own[0] % Math.max(1, this.options.maxConcurrency ?? 1);
          const now = Date.now();
          const lastAt = this.lastIdentifyAt.get(bucket);
          if (lastAt !== undefined && now - lastAt < (this.options.identifyWindowMs ?? 5000)) {
            // Over max_concurrency: no session; the socket stays open, a later IDENTIFY on it may pass.
            this.refusedIdentifies.push({ connection, shard, bucket, sinceAcceptedMs: now - lastAt, at: now });
            raw({ op: GatewayOps.InvalidSession, d: false, s: null, t: null });
            return;
          }
          this.lastIdentifyAt.set(bucket, now);
          session = { id: randomBytes(16).toString('hex'), intents: d.intents, shard: own, seq: 0, buffer: [], socket };
          this.sessions.set(session.id, session);
          this.active = session;
          this.shardSessions.set(own[0], session);
          this.notify(this.identifies, this.identifyWaiters, {
            connection,
            sessionId: session.id,
            intents: d.intents,
            shard,
            properties: d.properties,
            at: now,
          });
          this.send(session, 'READY', this.hooks.ready(session.id, this.resumeUrl, own));
          for (const guild of this.hooks.guildCreates(own)) this.dispatch('GUILD_CREATE', guild);
          return;
        }
        case GatewayOps.Resume: {
          if (session) return socket.close(GatewayCloseCodes.AlreadyAuthenticated, 'You sent more than one identify payload.');
          if (this.options.token !== undefined && d.token !== this.options.token) {
            return socket.close(GatewayCloseCodes.AuthenticationFailed, 'Authentication failed.');
          }
          const resumed = typeof d.session_id === 'string' ? this.sessions.get(d.session_id) : undefined;
          const seq = typeof d.seq === 'number' ? d.seq : null;
          if (!resumed) {
            this.notify(this.resumes, this.resumeWaiters, {
              connection,
              sessionId: String(d.session_id),
              seq,
              path,
              replayed: 0,
              accepted: false,
              at: Date.now(),
            });
            // Not resumable: the client must identify again.
            raw({ op: GatewayOps.InvalidSession, d: false, s: null, t: null });
            return;
          }
          session = resumed;
          if (resumed.socket && resumed.socket !== socket) resumed.socket.terminate();
          resumed.socket = socket;
          this.active = resumed;
          this.shardSessions.set(resumed.shard[0], resumed);
          const missed = resumed.buffer.filter((entry) => entry.s > (seq ?? 0));
          for (const entry of missed) socket.send(entry.frame);
          this.notify(this.resumes, this.resumeWaiters, {
            connection,
            sessionId: resumed.id,
            seq,
            path,
            replayed: missed.length,
            accepted: true,
            at: Date.now(),
          });
          this.send(resumed, 'RESUMED', {});
          return;
        }
        case GatewayOps.RequestGuildMembers: {
          if (!session) return socket.close(GatewayCloseCodes.NotAuthenticated, 'You sent a payload prior to identifying.');
          const answer = this.hooks.guildMembers(d);
          if (answer) {
            this.send(session, 'GUILD_MEMBERS_CHUNK', {
              guild_id: answer.guildId,
              members: answer.members,
              chunk_index: 0,
              chunk_count: 1,
              not_found: [],
              ...(d.nonce !== undefined ? { nonce: d.nonce } : {}),
            });
          }
          return;
        }
        case GatewayOps.PresenceUpdate:
        case GatewayOps.VoiceStateUpdate:
          if (!session) socket.close(GatewayCloseCodes.NotAuthenticated, 'You sent a payload prior to identifying.');
          return;
        default:
          socket.close(GatewayCloseCodes.UnknownOpcode, 'Unknown opcode.');
      }
    });
  }
}
