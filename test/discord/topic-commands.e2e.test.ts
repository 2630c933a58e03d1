import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commands } from '../../commands/index.js';
import { toApiRole } from '../../sandbox/fake-discord/api-objects.js';
import { validateCommands } from '../../sandbox/fake-discord/limits.js';
import { Permission } from '../../sandbox/fake-discord/permissions.js';
import type { GuildSeed } from '../../sandbox/fake-discord/fake-discord.js';
import { EPHEMERAL, FIXED_NOW, originalMessageId, startTestBot, UNLIMITED, type Answer, type TestBot } from './start-test-bot.js';


/**
 * /topic, /follow and /unfollow end to end: the bot as `npm start` runs it, against the fake
 * Discord and a fake Hugging Face Daily Papers API on loopback. One bot for the file; the
 * scenarios run in order and build on each other (a topic added, edited, paused, …).
 */

const MANAGE_CHANNELS = Permission.ManageChannels;

/** A server with a channel where the bot may not react, an elevated role and a channel admin without Manage Roles. */
const GUILD: GuildSeed = {
  name: 'Paperboy Lab',
  roles: [
    { name: 'cv-readers', position: 1, mentionable: true },
    { name: 'quiet-readers', position: 2, mentionable: true },
    { name: 'Moderators', position: 3, permissions: Permission.ManageMessages | Permission.KickMembers },
    { name: 'Channel admins', position: 4, permissions: MANAGE_CHANNELS },
  ],
  channels: [
    { name: 'general', type: 'text' },
    { name: 'Papers', type: 'category' },
    { name: 'papers-cv', type: 'text', parent: 'Papers' },
    { name: 'paper-news', type: 'announcement', parent: 'Papers' },
    { name: 'no-reactions', type: 'text', parent: 'Papers', permissionOverwrites: [{ member: 'bot', deny: Permission.AddReactions }] },
  ],
  members: [{ user: { username: 'alice' } }, { user: { username: 'bob' } }, { user: { username: 'carol' }, roles: ['Channel admins'] }],
};

/** Two papers a "latent diffusion" topic matches and one it does not, as HF's Daily Papers API lists them. */
const HF_ITEMS = [
  { id: '2511.10001', title: 'Latent Diffusion for Tiny Images', published: '2025-11-18T10:00:00.000Z' },
  { id: '2511.10002', title: 'Latent Diffusion Models Meet Reward Models', published: '2025-11-19T10:00:00.000Z' },
  { id: '2511.10003', title: 'A Survey of Protein Folding', published: '2025-11-19T11:00:00.000Z' },
].map((p) => ({
  paper: { id: p.id, title: p.title, summary: `We study ${p.title.toLowerCase()}.`, authors: [{ name: 'Ada Lovelace' }], publishedAt: p.published, upvotes: 3 },
  title: p.title,
  publishedAt: p.published,
}));

type FakeHf = { url: string; delayMs: number; requests: number; close(): Promise<void> };

async function startFakeHf(): Promise<FakeHf> {
  const today = new Date(FIXED_NOW).toISOString().slice(0, 10);
  const state = { delayMs: 0, requests: 0 };
  const server: Server = createServer((request, response) => {
    state.requests += 1;
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const body = url.pathname === '/api/daily_papers' ? JSON.stringify(url.searchParams.get('date') === today ? HF_ITEMS : []) : '';
    setTimeout(() => {
      response.writeHead(url.pathname === '/api/daily_papers' ? 200 : 404, { 'content-type': 'application/json' });
      response.end(body);
    }, state.delayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get delayMs() {
      return state.delayMs;
    },
    set delayMs(ms: number) {
      state.delayMs = ms;
    },
    get requests() {
      return state.requests;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

let t: TestBot;
let hf: FakeHf;
// Starts at FIXED_NOW; the refresh cooldown tests move it on.
let now = FIXED_NOW;
const clock = { now: () => now };

beforeAll(async () => {
  hf = await startFakeHf();
  t = await startTestBot({
    clock,
    rateLimits: UNLIMITED,
    fake: { guilds: [GUILD] },
    env: { SOURCES: 'hf', HF_API_URL: hf.url, HF_DAYS: '1', POLL_INTERVAL: '2h' },
  });
  // The bot runs once at start-up: wait for it, so later runs are ours.
  await settledRun();
}, 30_000);

afterAll(async () => {
  await t?.close();
  await hf?.close();
}, 20_000);

/** Run the cycle once (waiting out a run already in progress) and return its report. */
async function settledRun() {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const report = await t.bot.ctx.topicRunner.runNow('schedule');
    if (report) return report;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the topic runner stayed busy for 10 s');
}

const role = (name: string) => t.fake.state.role(name, t.guildId).id;

type Spec = Parameters<TestBot['slash']>[0];

/** An immediate ephemeral answer (callback type 4), checked to ping nobody. */
async function ephemeralAnswer(spec: Spec): Promise<Answer> {
  const answer = await t.slash(spec);
  expect(answer.type).toBe(4);
  expect(answer.data.flags & EPHEMERAL).toBe(EPHEMERAL);
  expect(answer.data.allowed_mentions).toEqual({ parse: [] });
  return answer;
}

/** A deferred ephemeral answer (type 5 with the flag), then the edit that fills it in. */
async function deferredAnswer(spec: Spec, timeoutMs = 10_000): Promise<Record<string, any>> {
  const answer = await t.slash(spec);
  expect(answer.type).toBe(5);
  expect(answer.data.flags & EPHEMERAL).toBe(EPHEMERAL);
  const edit = await t.fake.waitForRequest((r) => r.method === 'PATCH' && r.path.includes(answer.token), timeoutMs);
  expect(edit.status).toBe(200);
  const body = edit.body as Record<string, any>;
  expect(body.allowed_mentions).toEqual({ parse: [] });
  return body;
}

const asOwner = (spec: Spec): Spec => ({ user: 'owner', ...spec });

function embedText(data: Record<string, any>): string {
  return JSON.stringify(data.embeds ?? []);
}

/** The field of /topic list for a topic, or undefined. */
async function listed(name: string): Promise<{ name: string; value: string } | undefined> {
  const answer = await ephemeralAnswer(asOwner({ name: 'topic', subcommand: 'list' }));
  return (answer.data.embeds?.[0]?.fields ?? []).find((f: { name: string }) => f.name === name);
}

describe('registration', () => {
  it('given commands/index.ts, Discord accepts the bodies; /topic asks for Manage Channels, /follow and /unfollow for nothing', () => {
    expect(validateCommands(JSON.parse(JSON.stringify(commands.map((c) => c.data))))).toBeNull();
    const registered = new Map(t.fake.state.commandsOf(t.guildId).map((c) => [c.body.name as string, c.body]));
    expect([...registered.keys()].sort()).toEqual(['alert', 'bookmarks', 'follow', 'paper', 'topic', 'unfollow']);
    expect(registered.get('topic')!.default_member_permissions).toBe(String(MANAGE_CHANNELS));
    expect(registered.get('topic')!.contexts).toEqual([0]);
    expect(registered.get('follow')!.default_member_permissions).toBeUndefined();
    expect(registered.get('unfollow')!.default_member_permissions).toBeUndefined();
    expect(t.fake.violations).toEqual([]);
  });
});

describe('/topic for admins only', () => {
  it('given a member without Manage Channels who invokes it anyway, refuses and saves nothing', async () => {
    const answer = await ephemeralAnswer({
      user: 'alice',
      name: 'topic',
      subcommand: 'add',
      options: { name: 'sneaky', query: 'latent diffusion', channel: t.channel('papers-cv') },
    });
    expect(answer.data.content).toContain('Manage Channels');
    expect(await t.bot.ctx.topics.list(t.guildId)).toEqual([]);
    const list = await ephemeralAnswer({ user: 'alice', name: 'topic', subcommand: 'list' });
    expect(list.data.content).toContain('Manage Channels');
  });

  it('given a member without Manage Channels, autocomplete of topic names offers nothing', async () => {
    const injected = t.fake.injectAutocomplete({ user: 'alice', name: 'topic', subcommand: 'remove', focused: { name: 'name', value: '' } });
    const callback = await injected.firstResponse(4000);
    expect((callback.body as any).data.choices).toEqual([]);
  });
});

describe('/topic add', () => {
  it('given a channel where the bot lacks Add Reactions, names the permission and the channel, saves nothing', async () => {
    const answer = await ephemeralAnswer(
      asOwner({ name: 'topic', subcommand: 'add', options: { name: 'diffusion', query: 'latent diffusion', channel: t.channel('no-reactions') } }),
    );
    expect(answer.data.content).toMatch(/#no-reactions.*\*\*Add Reactions\*\*/);
    expect(answer.data.content).not.toMatch(/Send Messages|Embed Links/);
    expect(await t.bot.ctx.topics.list(t.guildId)).toEqual([]);
  });

  it('given a malformed filter (after:2024-13), explains it', async () => {
    const answer = await ephemeralAnswer(
      asOwner({ name: 'topic', subcommand: 'add', options: { name: 'diffusion', query: 'diffusion after:2024-13', channel: t.channel('papers-cv') } }),
    );
    expect(answer.data.content).toContain('after:2024-13');
    expect(answer.data.content).not.toMatch(/something went wrong/i);
  });

  it('given a role with moderation permissions, refuses it: anyone could take it with /follow', async () => {
    const answer = await ephemeralAnswer(
      asOwner({ name: 'topic', subcommand: 'add', options: { name: 'diffusion', query: 'latent diffusion', channel: t.channel('papers-cv'), role: role('Moderators') } }),
    );
    expect(answer.data.content).toMatch(/@Moderators grants \*\*Kick Members, Manage Messages\*\*/);
  });

  it('given a channel admin without Manage Roles, adds a topic without a role but refuses one with a role', async () => {
    const withRole = await ephemeralAnswer({
      user: 'carol',
      name: 'topic',
      subcommand: 'add',
      options: { name: 'carols', query: 'protein folding', channel: t.channel('papers-cv'), role: role('cv-readers') },
    });
    expect(withRole.data.content).toMatch(/You need \*\*Manage Roles\*\*/);
    const without = await ephemeralAnswer({ user: 'carol', name: 'topic', subcommand: 'add', options: { name: 'carols', query: 'protein folding', channel: t.channel('papers-cv') } });
    expect(without.data.embeds[0].title).toBe('Topic added: carols');
  });

  it('given a valid topic, saves it active and answers with its settings and the bounded first run', async () => {
    const answer = await ephemeralAnswer(
      asOwner({
        name: 'topic',
        subcommand: 'add',
        options: { name: 'diffusion', query: 'latent diffusion', channel: t.channel('papers-cv'), role: role('cv-readers'), max_per_run: 1, digest: true },
      }),
    );
    const embed = answer.data.embeds[0];
    expect(embed.title).toBe('Topic added: diffusion');
    expect(embed.description).toContain(`<#${t.channel('papers-cv')}>`);
    expect(embed.description).toContain(`<@&${role('cv-readers')}>`);
    expect(embed.description).toContain('at most 5 recent matching papers');
    const saved = await t.bot.ctx.topics.get(t.guildId, 'diffusion');
    expect(saved).toMatchObject({ status: 'active', query: 'latent diffusion', roleId: role('cv-readers'), maxPerRun: 1, digest: true, createdBy: t.user('owner') });
    // Added at FIXED_NOW like 'carols' before it: one millisecond later, so /topic list keeps the order they were added.
    expect((await t.bot.ctx.topics.get(t.guildId, 'carols'))?.createdAt).toBe(FIXED_NOW);
    expect(saved!.createdAt).toBe(FIXED_NOW + 1);
    expect((await t.bot.ctx.topics.list(t.guildId)).map((x) => x.name)).toEqual(['carols', 'diffusion']);
    expect(t.fake.violations).toEqual([]);
  });

  it('given the topic, /topic list shows it active with its query, channel, role and settings', async () => {
    const field = await listed('diffusion');
    expect(field?.value).toContain('latent diffusion');
    expect(field?.value).toContain(`<#${t.channel('papers-cv')}>`);
    expect(field?.value).toContain(`<@&${role('cv-readers')}>`);
    expect(field?.value).toContain('🟢 active');
    expect(field?.value).toContain('**max per run** 1 · **digest** on');
  });

  it('given the same name in other letters, refuses the duplicate', async () => {
    const answer = await ephemeralAnswer(asOwner({ name: 'topic', subcommand: 'add', options: { name: 'DIFFUSION', query: 'diffusion', channel: t.channel('papers-cv') } }));
    expect(answer.data.content).toContain('already a topic named "diffusion"');
  });

  it('given a partial name, autocompletes the server’s topics for an admin', async () => {
    const injected = t.fake.injectAutocomplete({ user: 'owner', name: 'topic', subcommand: 'preview', focused: { name: 'name', value: 'diff' } });
    const choices = ((await injected.firstResponse(4000)).body as any).data.choices as { name: string; value: string }[];
    expect(choices.map((c) => c.value)).toEqual(['diffusion']);
  });
});

describe('/topic preview and refresh', () => {
  it('given papers fetched at start-up, previews the bounded first run without posting anything', async () => {
    const before = t.fake.state.messagesIn('papers-cv').length;
    const body = await deferredAnswer(asOwner({ name: 'topic', subcommand: 'preview', options: { name: 'diffusion' } }));
    const description: string = body.embeds[0].description;
    expect(body.embeds[0].title).toBe('Preview: diffusion');
    expect(description).toContain('first run posts at most 5');
    // max_per_run 1: the older paper as a card, the other in the digest; the protein survey does not match.
    expect(description).toContain('**1 as cards**');
    expect(description).toContain('[Latent Diffusion for Tiny Images](https://arxiv.org/abs/2511.10001)');
    expect(description).toContain('**1 more in one digest message**');
    expect(description).not.toContain('Protein');
    expect(t.fake.state.messagesIn('papers-cv')).toHaveLength(before);
  });

  it('given /topic refresh, runs the cycle and answers with a summary of this server’s topics', async () => {
    const body = await deferredAnswer(asOwner({ name: 'topic', subcommand: 'refresh' }));
    const embed = body.embeds[0];
    expect(embed.title).toBe('Refresh done');
    expect(embed.fields[0]).toMatchObject({ name: 'Sources' });
    expect(embed.fields[0].value).toMatch(/✅ hf: \d+ papers?/);
    expect(embed.fields[1].value).toContain('**diffusion**: 1 posted, 1 in a digest');
    expect((await listed('diffusion'))?.value).toMatch(/\*\*Last post\*\* <t:\d+:R>/);
  });

  it('given the posts went out, previews nothing new', async () => {
    const body = await deferredAnswer(asOwner({ name: 'topic', subcommand: 'preview', options: { name: 'diffusion' } }));
    expect(body.embeds[0].description).toContain('Nothing new to post');
  });

  it('given a refresh moments ago, asks to wait instead of fetching every source again', async () => {
    const body = await ephemeralAnswer(asOwner({ name: 'topic', subcommand: 'refresh' }));
    expect(body.data.content).toMatch(/The last run ended moments ago; try again in \d+ s\./);
  });

  it('given a run in progress, /topic refresh says so instead of starting a second one', async () => {
    now += 61_000; // past the refresh cooldown
    hf.delayMs = 1_000;
    const running = t.bot.ctx.topicRunner.runNow('schedule');
    try {
      const body = await deferredAnswer(asOwner({ name: 'topic', subcommand: 'refresh' }));
      expect(body.content).toContain('A run is already in progress.');
    } finally {
      hf.delayMs = 0;
      await running;
    }
  });
});

describe('/topic edit, pause, resume, remove', () => {
  it('given a new query, changes it and says the topic starts afresh', async () => {
    const answer = await ephemeralAnswer(asOwner({ name: 'topic', subcommand: 'edit', options: { name: 'diffusion', query: 'diffusion models' } }));
    expect(answer.data.embeds[0].title).toBe('Topic updated: diffusion');
    expect(answer.data.embeds[0].description).toContain('starts afresh');
    expect((await listed('diffusion'))?.value).toContain('**Query** diffusion models');
    const again = await ephemeralAnswer(asOwner({ name: 'topic', subcommand: 'edit', options: { name: 'diffusion', query: 'diffusion models' } }));
    expect(again.data.content).toContain('Nothing to change');
  });

  it('given pause, lists it paused with who paused it; given resume, active again', async () => {
    const paused = await ephemeralAnswer(asOwner({ name: 'topic', subcommand: 'pause', options: { name: 'diffusion' } }));
    expect(paused.data.embeds[0].title).toBe('Topic paused: diffusion');
    expect((await listed('diffusion'))?.value).toContain('⏸️ paused: paused with /topic pause by owner');

    const resumed = await ephemeralAnswer(asOwner({ name: 'topic', subcommand: 'resume', options: { name: 'diffusion' } }));
    expect(resumed.data.embeds[0].title).toBe('Topic resumed: diffusion');
    const field = await listed('diffusion');
    expect(field?.value).toContain('🟢 active');
    expect(field?.value).not.toContain('paused');
    const saved = await t.bot.ctx.topics.get(t.guildId, 'diffusion');
    expect(saved?.pausedReason).toBeUndefined();
    expect(saved?.pauseNotified).toBeUndefined();
  });

  it('given resume while the bot cannot post in the channel, refuses and names what is missing', async () => {
    await ephemeralAnswer(asOwner({ name: 'topic', subcommand: 'pause', options: { name: 'carols' } }));
    t.fake.setChannelOverwrites(t.channel('papers-cv'), [{ member: 'bot', deny: Permission.EmbedLinks }]);
    try {
      await waitFor(() => {
        const channel = t.bot.client.guilds.cache.get(t.guildId)!.channels.cache.get(t.channel('papers-cv'))!;
        return !channel.permissionsFor(t.bot.client.user!)!.has(Permission.EmbedLinks);
      });
      const answer = await ephemeralAnswer(asOwner({ name: 'topic', subcommand: 'resume', options: { name: 'carols' } }));
      expect(answer.data.content).toMatch(/#papers-cv.*\*\*Embed Links\*\*/);
      expect((await t.bot.ctx.topics.get(t.guildId, 'carols'))?.status).toBe('paused');
    } finally {
      t.fake.setChannelOverwrites(t.channel('papers-cv'), []);
    }
  });

  it('given remove, the topic is gone from the list; removing it again says there is none', async () => {
    const removed = await ephemeralAnswer(asOwner({ name: 'topic', subcommand: 'remove', options: { name: 'carols' } }));
    expect(removed.data.content).toContain('Removed the topic **carols**');
    expect(await listed('carols')).toBeUndefined();
    const again = await ephemeralAnswer(asOwner({ name: 'topic', subcommand: 'remove', options: { name: 'carols' } }));
    expect(again.data.content).toContain('There is no topic named "carols"');
  });
});

describe('/topic list with many topics', () => {
  it('given 12 topics, shows ten and pages to the rest with ▶', async () => {
    const base = (await t.bot.ctx.topics.get(t.guildId, 'diffusion'))!;
    for (let i = 0; i < 12; i += 1) await t.bot.ctx.topics.save({ ...base, name: `bulk ${String(i).padStart(2, '0')}`, status: 'paused', pausedReason: 'test' });
    try {
      const first = await ephemeralAnswer(asOwner({ name: 'topic', subcommand: 'list' }));
      expect(first.data.embeds[0].fields).toHaveLength(10);
      const total = (await t.bot.ctx.topics.list(t.guildId)).length;
      expect(first.data.embeds[0].description).toContain(`${total} topics · showing 1–10`);
      const next = first.data.components[0].components[1].custom_id as string;
      expect(next).toBe('topic:list:10');
      const press = t.fake.injectButton({ user: 'owner', customId: next, messageId: originalMessageId(t.fake, first.id) });
      const update = (await press.firstResponse(4000)).body as Record<string, any>;
      expect(update.type).toBe(7);
      expect(update.data.embeds[0].description).toContain(`showing 11–${total}`);
      const names = update.data.embeds[0].fields.map((f: { name: string }) => f.name);
      expect(names).toEqual(['bulk 10', 'bulk 11', 'diffusion']);

      const stranger = t.fake.injectButton({ user: 'alice', customId: next, messageId: originalMessageId(t.fake, first.id) });
      const refused = (await stranger.firstResponse(4000)).body as Record<string, any>;
      expect(refused.data.content).toContain('Manage Channels');
    } finally {
      for (let i = 0; i < 12; i += 1) await t.bot.ctx.topics.remove(t.guildId, `bulk ${String(i).padStart(2, '0')}`);
    }
  });
});

describe('/follow and /unfollow', () => {
  const memberRoles = (user: string) => t.fake.state.member(t.guildId, t.user(user))!.roleIds;
  const ROLE_ROUTE = '/guilds/:id/members/:id/roles/:id';

  it('given no topic, lists the topics that ping a role', async () => {
    await ephemeralAnswer(asOwner({ name: 'topic', subcommand: 'add', options: { name: 'silent', query: 'protein folding', channel: t.channel('papers-cv') } }));
    const answer = await ephemeralAnswer({ user: 'bob', name: 'follow' });
    const description: string = answer.data.embeds[0].description;
    expect(description).toContain(`**diffusion** · <#${t.channel('papers-cv')}> · pings <@&${role('cv-readers')}>`);
    expect(description).toContain('1 more topic post');
  });

  it('given a topic, gives the member its role over REST; unfollow takes it again', async () => {
    const follow = await ephemeralAnswer({ user: 'bob', name: 'follow', options: { topic: 'diffusion' } });
    expect(follow.data.content).toContain('You now follow **diffusion**');
    const put = t.fake.requestsFor(ROLE_ROUTE, 'PUT').at(-1)!;
    expect(put.status).toBe(204);
    expect(put.path).toBe(`/guilds/${t.guildId}/members/${t.user('bob')}/roles/${role('cv-readers')}`);
    expect(memberRoles('bob')).toContain(role('cv-readers'));

    // No GUILD_MEMBER_UPDATE without the Server Members intent: the next interaction carries bob's roles.
    const injected = t.fake.injectAutocomplete({ user: 'bob', name: 'unfollow', focused: { name: 'topic', value: '' } });
    const choices = ((await injected.firstResponse(4000)).body as any).data.choices as { value: string }[];
    expect(choices.map((c) => c.value)).toEqual(['diffusion']);

    const unfollow = await ephemeralAnswer({ user: 'bob', name: 'unfollow', options: { topic: 'diffusion' } });
    expect(unfollow.data.content).toContain('You no longer follow **diffusion**');
    const del = t.fake.requestsFor(ROLE_ROUTE, 'DELETE').at(-1)!;
    expect(del.status).toBe(204);
    expect(del.path).toBe(`/guilds/${t.guildId}/members/${t.user('bob')}/roles/${role('cv-readers')}`);
    expect(memberRoles('bob')).not.toContain(role('cv-readers'));

    const again = await ephemeralAnswer({ user: 'bob', name: 'unfollow', options: { topic: 'diffusion' } });
    expect(again.data.content).toContain("You don't follow **diffusion**");
  });

  it('given a topic without a role, explains that it pings nobody and asks for an admin', async () => {
    const puts = t.fake.requestsFor(ROLE_ROUTE, 'PUT').length;
    const answer = await ephemeralAnswer({ user: 'bob', name: 'follow', options: { topic: 'silent' } });
    expect(answer.data.content).toMatch(/\*\*silent\*\* pings nobody/);
    expect(answer.data.content).toMatch(/ask an admin to set a role/i);
    expect(t.fake.requestsFor(ROLE_ROUTE, 'PUT')).toHaveLength(puts);
  });

  it('given a topic whose role was moved above the bot’s, explains the role order and changes nothing', async () => {
    const added = await ephemeralAnswer(asOwner({ name: 'topic', subcommand: 'add', options: { name: 'quiet', query: 'protein', channel: t.channel('paper-news'), role: role('quiet-readers') } }));
    expect(added.data.embeds[0].description).toContain('#paper-news is an announcement channel: each post is published');
    const quiet = t.fake.state.role('quiet-readers', t.guildId);
    quiet.position = 50;
    t.fake.dispatch('GUILD_ROLE_UPDATE', { guild_id: t.guildId, role: toApiRole(quiet) });
    await waitFor(() => t.bot.client.guilds.cache.get(t.guildId)!.roles.cache.get(quiet.id)?.rawPosition === 50);

    const puts = t.fake.requestsFor(ROLE_ROUTE, 'PUT').length;
    const answer = await ephemeralAnswer({ user: 'bob', name: 'follow', options: { topic: 'quiet' } });
    expect(answer.data.content).toMatch(/@quiet-readers is not below my highest role \(@Paperboy\)/);
    expect(t.fake.requestsFor(ROLE_ROUTE, 'PUT')).toHaveLength(puts);
    expect(memberRoles('bob')).not.toContain(quiet.id);
  });

  it('given an unknown topic, says so', async () => {
    const answer = await ephemeralAnswer({ user: 'bob', name: 'follow', options: { topic: 'nope' } });
    expect(answer.data.content).toContain('There is no topic named "nope"');
  });

  it('sent nothing Discord would refuse and hit no unknown route', () => {
    expect(t.fake.violations).toEqual([]);
    expect(t.fake.unknownRoutes).toEqual([]);
    expect(t.fake.internalErrors).toEqual([]);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
