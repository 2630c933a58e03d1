import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { commands } from '../../commands/index.js';
import { deployCommands, inviteUrl } from '../../src/discord/deploy-commands.js';
import { createMemoryStore } from '../../src/storage/memory-store.js';
import { startFakeDiscord, type FakeDiscord } from '../../sandbox/fake-discord/fake-discord.js';

const TOKEN = 'MTIzNDU2Nzg5MDEyMzQ1Njc4.Gabcde.fghijklmnopqrstuvwxyz012345';

describe('deploy-commands', () => {
  let fake: FakeDiscord;
  beforeEach(async () => {
    fake = await startFakeDiscord();
  });
  afterEach(async () => {
    await fake.close();
  });

  it('registers valid command bodies once and skips an unchanged deploy', async () => {
    const deployed = createMemoryStore<string>();
    const guildId = fake.state.guild('Paperboy Lab')!.id;
    const options = { bodies: commands.map((c) => c.data), token: TOKEN, applicationId: fake.applicationId, guildId, apiUrl: fake.apiUrl, deployed };

    expect(await deployCommands(options)).toEqual({ action: 'deployed', scope: `guild ${guildId}`, commands: commands.length });
    expect(await deployCommands(options)).toMatchObject({ action: 'unchanged' });
    const puts = fake.requestsFor('/applications/:id/guilds/:id/commands', 'PUT');
    expect(puts).toHaveLength(1);
    expect(puts[0]!.status).toBe(200);
    expect(fake.violations).toEqual([]);
    expect(fake.state.commandsOf(guildId).map((c) => c.body.name).sort()).toEqual(['alert', 'bookmarks', 'follow', 'paper', 'topic', 'unfollow']);

    await deployCommands({ ...options, force: true });
    expect(fake.requestsFor('/applications/:id/guilds/:id/commands', 'PUT')).toHaveLength(2);
  });

  it('deploys globally when no guild is given, tracked apart from guild deploys', async () => {
    const deployed = createMemoryStore<string>();
    const base = { bodies: commands.map((c) => c.data), token: TOKEN, applicationId: fake.applicationId, apiUrl: fake.apiUrl, deployed };
    expect(await deployCommands(base)).toMatchObject({ action: 'deployed', scope: 'global' });
    expect(fake.requestsFor('/applications/:id/commands', 'PUT')).toHaveLength(1);
    expect(fake.state.commandsOf(null)).toHaveLength(commands.length);
  });
});

describe('invite link', () => {
  it('asks for the bot and applications.commands scopes and only the permissions the bot uses', () => {
    const url = new URL(inviteUrl('123456789012345678'));
    expect(url.origin + url.pathname).toBe('https://discord.com/oauth2/authorize');
    expect(url.searchParams.get('client_id')).toBe('123456789012345678');
    expect(url.searchParams.get('scope')).toBe('bot applications.commands');
    // View Channel 1024 + Send Messages 2048 + Embed Links 16384 + Add Reactions 64 + Read Message History 65536
    // + Manage Roles 268435456 (/follow gives and takes topic roles)
    expect(url.searchParams.get('permissions')).toBe(String(1024 + 2048 + 16384 + 64 + 65536 + 268435456));
  });
});
