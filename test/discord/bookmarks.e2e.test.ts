import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RecordedRequest } from '../../sandbox/fake-discord/fake-discord.js';
import { DPO_ID, EPHEMERAL, EVIL_ID, EVIL_TITLE, expectInertMessages, originalMessageId, RECENT_ID, startTestBot, UNLIMITED, type TestBot } from './start-test-bot.js';


/**
 * 🔖 reactions (also across a restart, when the reacted message is no longer cached) and the
 * /bookmarks command. One bot for the file; each scenario uses its own users or papers.
 */

const REACTION_ROUTE = '/channels/:id/messages/:id/reactions/:emoji/@me';

let t: TestBot;

beforeAll(async () => {
  t = await startTestBot({ rateLimits: UNLIMITED });
}, 30_000);

afterAll(async () => {
  await t?.close();
}, 20_000);

const list = (user: string) => t.bot.ctx.bookmarks.list(t.user(user));

/** Post a paper's card publicly with /paper show and wait for the bot's own 🔖 on it. */
async function postCard(paperId: string, channel = 'general'): Promise<string> {
  const answer = await t.slash({ name: 'paper', subcommand: 'show', options: { id: paperId, public: true }, channelId: t.channel(channel) });
  expect(answer.type).toBe(4);
  const messageId = originalMessageId(t.fake, answer.id);
  await t.fake.waitForRequest((r) => r.method === 'PUT' && r.route === REACTION_ROUTE && r.path.includes(messageId), 4000);
  return messageId;
}

/** Lets the bot handle events already sent (negative assertions need a moment). */
const settle = (ms = 150) => new Promise((resolve) => setTimeout(resolve, ms));

describe('🔖 reactions', () => {
  it('given a card posted before a restart, a 🔖 by a user saves the paper and removing it drops it', async () => {
    const messageId = await postCard(RECENT_ID);
    // The bot's own 🔖 came back as a reaction event from the bot user: it must not count.
    await settle();
    expect(await t.bot.ctx.bookmarks.list(t.fake.botUserId)).toEqual([]);

    // A new process on the same store: the card's message is not in its cache, so the
    // reaction arrives as a partial and only the stored message → paper map can resolve it.
    const restarted = await t.restart();
    const channel = restarted.client.channels.cache.get(t.channel('general'));
    if (!channel?.isTextBased()) throw new Error('#general is not cached after the restart');
    expect(channel.messages.cache.has(messageId)).toBe(false);

    t.fake.injectReaction({ action: 'add', userId: 'alice', channelId: 'general', messageId, emoji: '🔖' });
    await vi.waitFor(async () => expect(await list('alice')).toEqual([RECENT_ID]), { timeout: 3000, interval: 20 });

    t.fake.injectReaction({ action: 'remove', userId: 'alice', channelId: 'general', messageId, emoji: '🔖' });
    await vi.waitFor(async () => expect(await list('alice')).toEqual([]), { timeout: 3000, interval: 20 });
  });

  it('given the bot’s own reaction events, ignores them', async () => {
    const messageId = await postCard(DPO_ID);
    // The bot removes and re-adds its 🔖 (Discord echoes both): neither is a bookmark by the bot.
    t.fake.injectReaction({ action: 'remove', userId: t.fake.botUserId, channelId: 'general', messageId, emoji: '🔖' });
    t.fake.injectReaction({ action: 'add', userId: t.fake.botUserId, channelId: 'general', messageId, emoji: '🔖' });
    t.fake.injectReaction({ action: 'add', userId: 'owner', channelId: 'general', messageId, emoji: '🔖' });
    await vi.waitFor(async () => expect(await list('owner')).toEqual([DPO_ID]), { timeout: 3000, interval: 20 });
    await settle();
    expect(await t.bot.ctx.bookmarks.list(t.fake.botUserId)).toEqual([]);
    await t.bot.ctx.bookmarks.clear(t.user('owner'));
  });

  it('given a 🔖 on a message that is not a paper card, or another emoji on a card, saves nothing', async () => {
    const card = await postCard(EVIL_ID);
    const chatter = t.fake.seedMessage({ channelId: t.channel('general'), content: 'hello', authorId: 'alice' });
    t.fake.injectReaction({ action: 'add', userId: 'bob', channelId: 'general', messageId: chatter.id, emoji: '🔖' });
    t.fake.injectReaction({ action: 'add', userId: 'bob', channelId: 'general', messageId: card, emoji: '👍' });
    t.fake.injectReaction({ action: 'add', userId: 'bob', channelId: 'general', messageId: '123456789012345678', emoji: '🔖' });
    await settle(300);
    expect(await list('bob')).toEqual([]);
  });
});

describe('/bookmarks', () => {
  const slash = (user: string, subcommand: string, options?: Record<string, string>) =>
    t.slash({ name: 'bookmarks', subcommand, user, ...(options ? { options } : {}) });

  /** The attachment of a deferred export: the PATCH of @original with a file. */
  async function exportFile(user: string, format: string): Promise<{ defer: Record<string, any>; edit: RecordedRequest }> {
    const answer = await slash(user, 'export', { format });
    const edit = await t.fake.waitForRequest((r) => r.method === 'PATCH' && r.path.includes(answer.token), 4000);
    return { defer: answer.callback.body as Record<string, any>, edit };
  }

  beforeAll(async () => {
    for (const id of [DPO_ID, EVIL_ID, RECENT_ID, 'title:00bf57de67c9']) await t.bot.ctx.bookmarks.add(t.user('alice'), id);
    await t.bot.ctx.bookmarks.add(t.user('bob'), 'title:06e333b56dcd');
  });

  it('given two users, each sees only their own list, ephemerally', async () => {
    const alice = await slash('alice', 'list');
    const bob = await slash('bob', 'list');
    expect(alice.data.flags & EPHEMERAL).toBe(EPHEMERAL);
    expect(bob.data.flags & EPHEMERAL).toBe(EPHEMERAL);
    expect(alice.data.embeds[0].description).toMatch(/^4 saved/);
    expect(alice.data.embeds[0].description).toContain('Direct Preference Optimization');
    expect(alice.data.embeds[0].description).not.toContain('Advancing LLM Reasoning Generalists');
    expect(bob.data.embeds[0].description).toMatch(/^1 saved/);
    expect(bob.data.embeds[0].description).toContain('Advancing LLM Reasoning Generalists');
    expect(t.fake.violations).toEqual([]);
  });

  it('given format:bibtex, defers then attaches a .bib file with one entry per bookmark and unique keys', async () => {
    const { defer, edit } = await exportFile('alice', 'bibtex');
    expect(defer.type).toBe(5);
    expect(defer.data.flags & EPHEMERAL).toBe(EPHEMERAL);
    expect(edit.status).toBe(200);
    expect(edit.files).toHaveLength(1);
    expect(edit.files[0]!.filename).toBe('bookmarks.bib');
    const bib = edit.files[0]!.data.toString('utf8');
    const keys = [...bib.matchAll(/^@misc\{([^,\s]+),$/gm)].map((m) => m[1]);
    expect(keys).toHaveLength(4);
    expect(new Set(keys).size).toBe(4);
    expect(bib).toContain(`eprint = {${DPO_ID}}`);
    // Balanced braces: BibTeX would end a field early otherwise.
    let depth = 0;
    for (const c of bib.replace(/\\text(brace(left|right))\{\}/g, '')) {
      depth += c === '{' ? 1 : c === '}' ? -1 : 0;
      expect(depth).toBeGreaterThanOrEqual(0);
    }
    expect(depth).toBe(0);
    expect(t.fake.violations).toEqual([]);
  });

  it('given format:csv, attaches a CSV with the header and one row per bookmark', async () => {
    const { edit } = await exportFile('alice', 'csv');
    expect(edit.files[0]!.filename).toBe('bookmarks.csv');
    const rows = parseCsv(edit.files[0]!.data.toString('utf8'));
    expect(rows[0]).toEqual(['id', 'title', 'authors', 'published', 'url']);
    expect(rows).toHaveLength(5);
    expect(rows.slice(1).map((r) => r[0]).sort()).toEqual([DPO_ID, EVIL_ID, RECENT_ID, 'title:00bf57de67c9'].sort());
    expect(rows.find((r) => r[0] === EVIL_ID)?.[1]).toBe(EVIL_TITLE);
    expect(rows.every((r) => r.length === 5)).toBe(true);
  });

  it('given format:markdown, attaches a .md list with a line per bookmark', async () => {
    const { edit } = await exportFile('alice', 'markdown');
    expect(edit.files[0]!.filename).toBe('bookmarks.md');
    const lines = edit.files[0]!.data.toString('utf8').trim().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines.every((l) => l.startsWith('- '))).toBe(true);
    expect(lines.some((l) => l.includes(`https://arxiv.org/abs/${DPO_ID}`))).toBe(true);
  });

  it('given no bookmarks, export says there is nothing to export', async () => {
    const answer = await slash('owner', 'export', { format: 'csv' });
    const edit = await t.fake.waitForRequest((r) => r.method === 'PATCH' && r.path.includes(answer.token), 4000);
    expect(edit.files).toHaveLength(0);
    expect((edit.body as { content: string }).content).toMatch(/no bookmarks/i);
  });

  it('given remove with an id, drops just that paper', async () => {
    const answer = await slash('alice', 'remove', { id: EVIL_ID });
    expect(answer.data.flags & EPHEMERAL).toBe(EPHEMERAL);
    expect(answer.data.content).toMatch(/^Removed/);
    expect(await list('alice')).not.toContain(EVIL_ID);
    expect(await list('alice')).toHaveLength(3);
  });

  it('given clear and the confirm button, empties the list', async () => {
    const ask = await slash('alice', 'clear');
    expect(ask.data.components[0].components.map((c: any) => c.custom_id)).toEqual(['bookmarks:clear', 'bookmarks:cancel']);
    const press = t.fake.injectButton({ customId: 'bookmarks:clear', messageId: originalMessageId(t.fake, ask.id), user: 'alice' });
    const body = (await press.firstResponse(4000)).body as { type: number; data: Record<string, any> };
    expect(body.type).toBe(7);
    expect(body.data.content).toMatch(/Removed 3 bookmarks/);
    expect(body.data.components).toEqual([]);
    expect(await list('alice')).toEqual([]);
    expect(await list('bob')).toHaveLength(1);
  });

  it('given forget-me and the confirm button, deletes the user’s bookmarks', async () => {
    const ask = await slash('bob', 'forget-me');
    const press = t.fake.injectButton({ customId: 'bookmarks:forget', messageId: originalMessageId(t.fake, ask.id), user: 'bob' });
    const body = (await press.firstResponse(4000)).body as { type: number; data: Record<string, any> };
    expect(body.type).toBe(7);
    expect(body.data.content).toMatch(/Deleted everything/);
    expect(await list('bob')).toEqual([]);
    const after = await slash('bob', 'list');
    expect(after.data.embeds[0].description).toMatch(/No bookmarks yet/);
    expect(t.fake.violations).toEqual([]);
  });

  it('given lists, notices and cards about a paper titled with mentions and markdown, every message stayed inert', () => {
    expectInertMessages(t.fake, { atLeast: 15 });
    expect(t.fake.violations).toEqual([]);
  });
});

/** RFC 4180 CSV → rows of fields. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') row.push(field), (field = '');
    else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      (row = []), (field = ''), i++;
    } else field += c;
  }
  if (field || row.length > 0) rows.push([...row, field]);
  return rows;
}
