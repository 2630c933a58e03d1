import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toApiRole } from '../../sandbox/fake-discord/api-objects.js';
import type { GuildSeed, OverwriteSeed } from '../../sandbox/fake-discord/fake-discord.js';
import { Permission } from '../../sandbox/fake-discord/permissions.js';
import { EPHEMERAL, fixedClock, startTestBot, type Answer, type TestBot } from './start-test-bot.js';

/**
 * Topic roles are self-assignable (/follow), so a topic role must give nothing beyond @everyone:
 * not server-wide (Mute / Move Members), and not through a channel's overwrites (a private
 * channel, or lifting a mute). /topic add and edit refuse such a role and say why; /follow
 * re-checks, because roles and overwrites change after the topic was set up.
 */

const STAFF_OVERWRITES: OverwriteSeed[] = [
  { role: '@everyone', deny: Permission.ViewChannel },
  { role: 'staff-readers', allow: Permission.ViewChannel },
];

const GUILD: GuildSeed = {
  name: 'Role Lab',
  roles: [
    { name: 'voice-mods', position: 1, mentionable: true, permissions: Permission.MuteMembers | Permission.MoveMembers },
    { name: 'staff-readers', position: 2, mentionable: true },
    { name: 'Muted', position: 3 },
    { name: 'mute-lifters', position: 4, mentionable: true },
    { name: 'clean-readers', position: 5, mentionable: true },
    { name: 'Moderators', position: 6, permissions: Permission.KickMembers },
    { name: 'high-readers', position: 7, mentionable: true },
  ],
  channels: [
    { name: 'papers', type: 'text' },
    { name: 'staff', type: 'text', permissionOverwrites: STAFF_OVERWRITES },
    {
      name: 'chat',
      type: 'text',
      permissionOverwrites: [
        { role: 'Muted', deny: Permission.SendMessages },
        { role: 'mute-lifters', allow: Permission.SendMessages },
      ],
    },
  ],
  members: [{ user: { username: 'alice' } }, { user: { username: 'bob' } }],
};

const ROLE_ROUTE = '/guilds/:id/members/:id/roles/:id';

let t: TestBot;

beforeAll(async () => {
  t = await startTestBot({ clock: fixedClock, fake: { guilds: [GUILD] } });
}, 30_000);

afterAll(async () => {
  await t?.close();
}, 20_000);

const roleId = (name: string) => t.fake.state.role(name, t.guildId).id;

type Spec = Parameters<TestBot['slash']>[0];

async function ephemeralAnswer(spec: Spec): Promise<Answer> {
  const answer = await t.slash(spec);
  expect(answer.type).toBe(4);
  expect(answer.data.flags & EPHEMERAL).toBe(EPHEMERAL);
  return answer;
}

const addTopic = (name: string, role: string) =>
  ephemeralAnswer({ user: 'owner', name: 'topic', subcommand: 'add', options: { name, query: 'diffusion', channel: t.channel('papers'), role: roleId(role) } });

async function waitFor(condition: () => boolean, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Change a role's server-wide permissions the way an admin would (GUILD_ROLE_UPDATE) and wait for the cache. */
async function setRolePermissions(name: string, permissions: bigint): Promise<void> {
  const role = t.fake.state.role(name, t.guildId);
  role.permissions = permissions;
  t.fake.dispatch('GUILD_ROLE_UPDATE', { guild_id: t.guildId, role: toApiRole(role) });
  await waitFor(() => t.bot.client.guilds.cache.get(t.guildId)!.roles.cache.get(role.id)?.permissions.bitfield === permissions);
}

async function setOverwrites(channel: string, overwrites: OverwriteSeed[]): Promise<void> {
  t.fake.setChannelOverwrites(t.channel(channel), overwrites);
  await waitFor(() => {
    const cached = t.bot.client.guilds.cache.get(t.guildId)!.channels.cache.get(t.channel(channel));
    return cached !== undefined && !cached.isThread() && cached.permissionOverwrites.cache.size === overwrites.length;
  });
}

describe('/topic add and edit refuse a role that gives more than @everyone', () => {
  it('given a role with Mute Members and Move Members, refuses it, names both, and saves nothing', async () => {
    const answer = await addTopic('voice', 'voice-mods');
    expect(answer.data.content).toMatch(/@voice-mods grants \*\*Mute Members, Move Members\*\*/);
    expect(answer.data.content).toContain('/follow');
    expect(await t.bot.ctx.topics.get(t.guildId, 'voice')).toBeUndefined();
  });

  it('given a role that opens a private channel through an overwrite, names the permission and the channel', async () => {
    const answer = await addTopic('staff', 'staff-readers');
    expect(answer.data.content).toMatch(/@staff-readers grants \*\*View Channel\*\* in #staff/);
    expect(await t.bot.ctx.topics.get(t.guildId, 'staff')).toBeUndefined();
  });

  it('given a plain role placed above a role that kicks or times out members, refuses it and says where to drag it', async () => {
    const answer = await addTopic('high', 'high-readers');
    expect(answer.data.content).toMatch(/@high-readers is not below @Moderators, which moderates members/);
    expect(answer.data.content).toMatch(/Drag @high-readers below @Moderators/);
    expect(await t.bot.ctx.topics.get(t.guildId, 'high')).toBeUndefined();
  });

  it('given a role whose overwrite lifts another role’s deny (a mute), refuses it', async () => {
    const answer = await addTopic('lifters', 'mute-lifters');
    expect(answer.data.content).toMatch(/@mute-lifters grants \*\*Send Messages\*\* in #chat/);
    expect(await t.bot.ctx.topics.get(t.guildId, 'lifters')).toBeUndefined();
  });

  it('given a role with no permissions of its own, adds the topic', async () => {
    const answer = await addTopic('clean', 'clean-readers');
    expect(answer.data.embeds[0].title).toBe('Topic added: clean');
    expect((await t.bot.ctx.topics.get(t.guildId, 'clean'))?.roleId).toBe(roleId('clean-readers'));
  });

  it('given /topic edit to such a role, refuses and keeps the old role', async () => {
    const answer = await ephemeralAnswer({ user: 'owner', name: 'topic', subcommand: 'edit', options: { name: 'clean', role: roleId('voice-mods') } });
    expect(answer.data.content).toMatch(/@voice-mods grants \*\*Mute Members, Move Members\*\*/);
    expect((await t.bot.ctx.topics.get(t.guildId, 'clean'))?.roleId).toBe(roleId('clean-readers'));
  });
});

describe('/follow re-checks the role', () => {
  it('given the clean role, gives it', async () => {
    const answer = await ephemeralAnswer({ user: 'alice', name: 'follow', options: { topic: 'clean' } });
    expect(answer.data.content).toContain('You now follow **clean**');
    expect(t.fake.state.member(t.guildId, t.user('alice'))!.roleIds).toContain(roleId('clean-readers'));
  });

  it('given the role gained Move Members since, refuses politely without handing it out; /topic edit warns the admin', async () => {
    await setRolePermissions('clean-readers', Permission.MoveMembers);
    try {
      const puts = t.fake.requestsFor(ROLE_ROUTE, 'PUT').length;
      const answer = await ephemeralAnswer({ user: 'bob', name: 'follow', options: { topic: 'clean' } });
      expect(answer.data.content).toMatch(/^Sorry, I can't give out the role of \*\*clean\*\* right now/);
      expect(answer.data.content).not.toContain('Move Members');
      expect(t.fake.requestsFor(ROLE_ROUTE, 'PUT')).toHaveLength(puts);
      expect(t.fake.state.member(t.guildId, t.user('bob'))!.roleIds).not.toContain(roleId('clean-readers'));

      const edit = await ephemeralAnswer({ user: 'owner', name: 'topic', subcommand: 'edit', options: { name: 'clean', max_per_run: 3 } });
      expect(edit.data.embeds[0].description).toMatch(/@clean-readers now grants \*\*Move Members\*\*.*\/follow won't give it out/);
    } finally {
      await setRolePermissions('clean-readers', 0n);
    }
  });

  it('given a channel overwrite that now lets the role into a private channel, refuses without naming the channel', async () => {
    await setOverwrites('staff', [...STAFF_OVERWRITES, { role: 'clean-readers', allow: Permission.ViewChannel }]);
    try {
      const puts = t.fake.requestsFor(ROLE_ROUTE, 'PUT').length;
      const answer = await ephemeralAnswer({ user: 'bob', name: 'follow', options: { topic: 'clean' } });
      expect(answer.data.content).toMatch(/^Sorry, I can't give out the role of \*\*clean\*\*/);
      expect(answer.data.content).not.toMatch(/staff|View Channel/);
      expect(t.fake.requestsFor(ROLE_ROUTE, 'PUT')).toHaveLength(puts);
    } finally {
      await setOverwrites('staff', STAFF_OVERWRITES);
    }
  });

  it('given the role is clean again, gives it', async () => {
    const answer = await ephemeralAnswer({ user: 'bob', name: 'follow', options: { topic: 'clean' } });
    expect(answer.data.content).toContain('You now follow **clean**');
    expect(t.fake.violations).toEqual([]);
    expect(t.fake.internalErrors).toEqual([]);
  });
});
