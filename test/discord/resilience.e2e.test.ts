import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordedRequest } from '../../sandbox/fake-discord/fake-discord.js';
import { DPO_ID, EPHEMERAL, expectInertMessages, originalMessageId, RECENT_ID, startTestBot, type TestBot } from './start-test-bot.js';

/**
 * What goes wrong on Discord's side: missing permissions, rate limits, gateway drops, failed
 * requests; and the logs written meanwhile, which must never hold the bot token or an
 * interaction token. One bot for the file, scenarios in order (the log scan comes last).
 */

const REACTION_ROUTE = '/channels/:id/messages/:id/reactions/:emoji/@me';
const CALLBACK_ROUTE = '/interactions/:id/:token/callback';

let t: TestBot;

beforeAll(async () => {
  t = await startTestBot();
}, 30_000);

afterAll(async () => {
  await t?.close();
}, 20_000);

type Body = { type?: number; content?: string; flags?: number; data?: Record<string, any> };

/** The ephemeral follow-up (POST /webhooks/{app}/{token}) the bot sent for an interaction. */
function followUps(token: string): RecordedRequest[] {
  return t.fake.requests.filter((r) => r.method === 'POST' && r.route === '/webhooks/:id/:token' && r.path.includes(token));
}

describe('missing permissions', () => {
  it('given a channel where the bot may not add reactions, posts the card and tells the user which permission is missing', async () => {
    const answer = await t.slash({ name: 'paper', subcommand: 'show', options: { id: DPO_ID, public: true }, channelId: t.channel('read-only') });
    expect(answer.type).toBe(4);
    const posted = originalMessageId(t.fake, answer.id);
    const reaction = await t.fake.waitForRequest((r) => r.route === REACTION_ROUTE && r.path.includes(posted), 4000);
    expect(reaction.status).toBe(403);
    const notice = await t.fake.waitForRequest((r) => r.route === '/webhooks/:id/:token' && r.path.includes(answer.token), 4000);
    const body = notice.body as Body;
    expect(body.flags! & EPHEMERAL).toBe(EPHEMERAL);
    expect(body.content).toContain('Add Reactions');
    // The card did get posted: naming Send Messages would send an admin after the wrong setting.
    expect(body.content).not.toContain('Send Messages');
    expect(body.content).not.toMatch(/something went wrong/i);
    // The card is remembered anyway: people can add 🔖 themselves.
    expect(await t.bot.ctx.messages.paperFor(posted)).toBe(DPO_ID);
  });

  it('given a 403 (50013) on the reaction PUT, explains that Add Reactions is missing', async () => {
    t.fake.failNext({ route: REACTION_ROUTE, method: 'PUT', status: 403, code: 50013 });
    const answer = await t.slash({ name: 'paper', subcommand: 'show', options: { id: RECENT_ID, public: true } });
    const notice = await t.fake.waitForRequest((r) => r.route === '/webhooks/:id/:token' && r.path.includes(answer.token), 4000);
    expect((notice.body as Body).content).toContain('Add Reactions');
    expect((notice.body as Body).flags! & EPHEMERAL).toBe(EPHEMERAL);
  });

  it('given a 403 (50013) on the interaction reply itself, answers ephemerally naming the permissions it needs', async () => {
    t.fake.failNext({ route: CALLBACK_ROUTE, status: 403, code: 50013 });
    const injected = t.fake.injectSlashCommand({ name: 'paper', subcommand: 'search', options: { query: 'reward model', public: true } });
    const answered = await t.fake.waitForRequest((r) => r.route === CALLBACK_ROUTE && r.path.includes(injected.id) && r.status === 204, 4000);
    const calls = t.fake.interactionResponses(injected.id).filter((r) => r.route === CALLBACK_ROUTE);
    expect(calls.map((c) => c.status)).toEqual([403, 204]);
    const data = (answered.body as Body).data!;
    expect(data.flags & EPHEMERAL).toBe(EPHEMERAL);
    expect(data.content).toMatch(/#general/);
    expect(data.content).toMatch(/Send Messages|Embed Links/);
    expect(data.content).not.toMatch(/something went wrong/i);
  });
});

describe('rate limits', () => {
  it('given a 429 on the reaction PUT, waits it out and adds the reaction', async () => {
    const since = t.fake.mark();
    t.fake.failNext({ route: REACTION_ROUTE, method: 'PUT', status: 429, retryAfterMs: 600 });
    const answer = await t.slash({ name: 'paper', subcommand: 'show', options: { id: DPO_ID, public: true } });
    const posted = originalMessageId(t.fake, answer.id);
    const done = await t.fake.waitForRequest((r) => r.route === REACTION_ROUTE && r.path.includes(posted) && r.status === 204, { since, timeoutMs: 5000 });
    const tries = t.fake.requests.filter((r) => r.seq >= since && r.route === REACTION_ROUTE && r.path.includes(posted));
    expect(tries.map((r) => r.status)).toEqual([429, 204]);
    expect(done.at - tries[0]!.at).toBeGreaterThanOrEqual(500);
    expect(t.fake.state.messages.get(posted)!.reactions.get('🔖')?.users.has(t.fake.botUserId)).toBe(true);
    expect(followUps(answer.token)).toEqual([]);
  });

  it('given a 429 on the deferred reply’s edit, waits it out and delivers the export', async () => {
    await t.bot.ctx.bookmarks.add(t.user('alice'), DPO_ID);
    t.fake.failNext({ route: '/webhooks/:id/:token/messages/@original', method: 'PATCH', status: 429, retryAfterMs: 500 });
    const answer = await t.slash({ name: 'bookmarks', subcommand: 'export', options: { format: 'csv' } });
    expect(answer.type).toBe(5);
    const edit = await t.fake.waitForRequest((r) => r.method === 'PATCH' && r.path.includes(answer.token) && r.status === 200, 5000);
    expect(edit.files[0]!.data.toString('utf8')).toContain(DPO_ID);
    const tries = t.fake.requests.filter((r) => r.method === 'PATCH' && r.path.includes(answer.token));
    expect(tries.map((r) => r.status)).toEqual([429, 200]);
  });
});

describe('gateway drops', () => {
  it('given a dropped gateway connection, resumes and answers a new /paper search', async () => {
    const resumes = t.fake.gateway.resumes.length;
    t.fake.dropGateway('resumable-close');
    const resumed = await t.fake.gateway.waitForResume({ since: resumes, timeoutMs: 8000 });
    expect(resumed.accepted).toBe(true);
    const answer = await t.slash({ name: 'paper', subcommand: 'search', options: { query: 'direct preference optimization' } });
    expect(answer.type).toBe(4);
    expect(answer.data.embeds[0].description).toMatch(/Results 1–/);
  }, 15_000);

  it('given a command sent while the connection is down, gets it on resume and still answers within 3 s', async () => {
    const resumes = t.fake.gateway.resumes.length;
    t.fake.dropGateway('abnormal');
    // Buffered in the session and replayed on RESUME, as Discord does.
    const injected = t.fake.injectSlashCommand({ name: 'paper', subcommand: 'search', options: { query: 'reward models' } });
    await t.fake.gateway.waitForResume({ since: resumes, timeoutMs: 8000 });
    const callback = await injected.firstResponse(4000);
    expect(callback.status).toBe(204);
    expect((callback.body as Body).type).toBe(4);
  }, 15_000);
});

describe('failures the user cannot fix', () => {
  it('given Discord failing the reply with 5xx (after discord.js’ retries), answers with a reference id, never the error text', async () => {
    t.fake.failNext({ route: CALLBACK_ROUTE, status: 500, times: 4 });
    const injected = t.fake.injectSlashCommand({ name: 'paper', subcommand: 'search', options: { query: 'reasoning' } });
    const answered = await t.fake.waitForRequest((r) => r.route === CALLBACK_ROUTE && r.path.includes(injected.id) && r.status === 204, 5000);
    const content = (answered.body as Body).data!.content as string;
    expect(content).toMatch(/Something went wrong \(ref `[0-9a-f]{8}`\)/);
    // The reference id is random hex and can itself hold "500": only the rest must not.
    expect(content.replace(/ref `[0-9a-f]{8}`/, 'ref')).not.toMatch(/Internal Server Error|500/);
    const reference = /ref `([0-9a-f]{8})`/.exec(content)![1]!;
    expect(t.logs()).toContain(reference);
  });

  it('given the interaction already expired (10062), gives up quietly and logs a warning', async () => {
    t.fake.failNext({ route: CALLBACK_ROUTE, status: 404, code: 10062 });
    const injected = t.fake.injectSlashCommand({ name: 'paper', subcommand: 'search', options: { query: 'tree search' } });
    await t.fake.waitForRequest((r) => r.route === CALLBACK_ROUTE && r.path.includes(injected.id), 4000);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(t.fake.interactionResponses(injected.id).map((r) => r.status)).toEqual([404]);
    expect(t.logs()).toContain('interaction expired before it was answered');
  });
});

describe('logs', () => {
  it('given everything above, the logs never contain the bot token or any interaction token', () => {
    const logs = t.logs();
    // The scenarios above logged errors carrying request URLs; make sure there was something to scan.
    expect(logs).toMatch(/"level":"(warn|error)"/);
    expect(logs).toContain('/interactions/');
    expect(logs).not.toContain(t.token);
    for (const part of t.token.split('.')) expect(logs).not.toContain(part);
    const tokens = t.interactionTokens();
    expect(tokens.length).toBeGreaterThan(5);
    for (const token of tokens) expect(logs).not.toContain(token);
  });

  it('given the error answers above, every message was sent with allowed_mentions.parse = []', () => {
    expectInertMessages(t.fake, { atLeast: 10 });
  });
});
