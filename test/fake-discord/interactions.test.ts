import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ActionRowBuilder, ButtonBuilder, ButtonStyle, DiscordAPIError, MessageFlags, type Client, type TextChannel } from 'discord.js';
import { destroyClient, loginClient, nextEvent } from '../../sandbox/fake-discord/discord-client.js';
import { startFakeDiscord, type FakeDiscord, type FakeDiscordOptions } from '../../sandbox/fake-discord/fake-discord.js';

const T = 15_000;

describe('fake Discord interactions, with the real discord.js client', () => {
  let fake: FakeDiscord;
  let client: Client<true> | undefined;

  const start = async (options: FakeDiscordOptions = {}): Promise<Client<true>> => {
    await fake.close();
    fake = await startFakeDiscord(options);
    client = await loginClient(fake);
    return client;
  };

  beforeEach(async () => {
    fake = await startFakeDiscord();
    client = await loginClient(fake);
  });

  afterEach(async () => {
    await destroyClient(client);
    client = undefined;
    await fake.close();
  });

  it('delivers a slash command with subcommand options as interactionCreate and records an ephemeral reply (type 4, flag 64, no token)', async () => {
    const arrived = nextEvent(client!, 'interactionCreate');
    const injected = fake.injectSlashCommand({ name: 'paper', subcommand: 'search', options: { query: 'transformers', limit: 3 } });
    const [interaction] = await arrived;
    if (!interaction.isChatInputCommand()) throw new Error('expected a chat input command');
    expect(interaction.commandName).toBe('paper');
    expect(interaction.options.getSubcommand()).toBe('search');
    expect(interaction.options.getString('query')).toBe('transformers');
    expect(interaction.options.getInteger('limit')).toBe(3);
    expect(interaction.user.username).toBe('alice');
    expect(interaction.inGuild()).toBe(true);
    expect(interaction.appPermissions.has('SendMessages')).toBe(true);

    await interaction.reply({ content: 'Nothing found.', flags: MessageFlags.Ephemeral });
    const callback = await injected.firstResponse();
    expect(callback.route).toBe('/interactions/:id/:token/callback');
    expect(callback.body).toMatchObject({ type: 4, data: { content: 'Nothing found.', flags: MessageFlags.Ephemeral } });
    expect(callback.status).toBe(204);
    // Interaction callbacks are authenticated by the token in the path, not the bot token.
    expect(callback.authorized).toBe(false);
    expect(fake.violations).toEqual([]);
  }, T);

  it('records deferReply then editReply as a type 5 callback and a PATCH of @original', async () => {
    const arrived = nextEvent(client!, 'interactionCreate');
    const injected = fake.injectSlashCommand({ name: 'paper', subcommand: 'search', options: { query: 'llm' } });
    const [interaction] = await arrived;
    if (!interaction.isChatInputCommand()) throw new Error('expected a chat input command');

    await interaction.deferReply();
    await interaction.editReply({ content: 'Found 3 papers', embeds: [{ title: 'Attention Is All You Need' }] });

    const [callback, edit] = injected.responses();
    expect(callback?.body).toMatchObject({ type: 5 });
    expect(edit?.method).toBe('PATCH');
    expect(edit?.route).toBe('/webhooks/:id/:token/messages/@original');
    expect(edit?.path).toBe(`/webhooks/${fake.applicationId}/${injected.token}/messages/@original`);
    expect(edit?.body).toMatchObject({ content: 'Found 3 papers', embeds: [{ title: 'Attention Is All You Need' }] });

    const [reply] = fake.state.messagesIn(interaction.channelId);
    expect(reply?.content).toBe('Found 3 papers');
    expect(reply?.flags).toBe(0); // the "thinking…" loading flag is gone
    expect(fake.violations).toEqual([]);
  }, T);

  it('records an autocomplete response (type 8) with its choices', async () => {
    const arrived = nextEvent(client!, 'interactionCreate');
    const injected = fake.injectAutocomplete({ name: 'paper', subcommand: 'show', focused: { name: 'id', value: 'attent' } });
    const [interaction] = await arrived;
    if (!interaction.isAutocomplete()) throw new Error('expected autocomplete');
    expect(interaction.options.getFocused(true)).toMatchObject({ name: 'id', value: 'attent' });

    await interaction.respond([{ name: 'Attention Is All You Need', value: '1706.03762' }]);
    const callback = await injected.firstResponse();
    expect(callback.body).toEqual({ type: 8, data: { choices: [{ name: 'Attention Is All You Need', value: '1706.03762' }] } });
  }, T);

  it('given 26 autocomplete choices then discord.js gets 50035 and a violation is recorded', async () => {
    const arrived = nextEvent(client!, 'interactionCreate');
    fake.injectAutocomplete({ name: 'paper', subcommand: 'show', focused: { name: 'id', value: 'a' } });
    const [interaction] = await arrived;
    if (!interaction.isAutocomplete()) throw new Error('expected autocomplete');

    const choices = Array.from({ length: 26 }, (_, i) => ({ name: `Paper ${i}`, value: `${i}` }));
    await expect(interaction.respond(choices)).rejects.toMatchObject({ code: 50035, status: 400 });
    expect(fake.violations.map((v) => v.summary)).toEqual([
      'POST /interactions/:id/:token/callback: data.choices: BASE_TYPE_MAX_LENGTH Must be 25 or fewer in length.',
    ]);
  }, T);

  it('sends a followUp as a new webhook message after a reply', async () => {
    const arrived = nextEvent(client!, 'interactionCreate');
    const injected = fake.injectSlashCommand({ name: 'paper', subcommand: 'search', options: { query: 'x' } });
    const [interaction] = await arrived;
    if (!interaction.isChatInputCommand()) throw new Error('expected a chat input command');

    await interaction.reply('first');
    const followUp = await interaction.followUp({ content: 'second', flags: MessageFlags.Ephemeral });
    const request = injected.responses()[1];
    expect(request?.route).toBe('/webhooks/:id/:token');
    expect(request?.query).toMatchObject({ wait: 'true' });
    expect(followUp.flags.has(MessageFlags.Ephemeral)).toBe(true);
    expect(fake.state.messagesIn(interaction.channelId).map((m) => m.content)).toEqual(['first']);
  }, T);

  it('given a followUp right after deferReply then it replaces the "thinking…" placeholder, as Discord does', async () => {
    const arrived = nextEvent(client!, 'interactionCreate');
    fake.injectSlashCommand({ name: 'paper', subcommand: 'search', options: { query: 'x' } });
    const [interaction] = await arrived;
    if (!interaction.isChatInputCommand()) throw new Error('expected a chat input command');

    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    const original = fake.state.interactions.get(interaction.id)?.originalMessageId;
    const message = await interaction.followUp({ content: 'done' });
    expect(message.id).toBe(original);
    expect(message.flags.has(MessageFlags.Ephemeral)).toBe(true);
  }, T);

  it('returns the callback resource when discord.js asks withResponse', async () => {
    const arrived = nextEvent(client!, 'interactionCreate');
    const injected = fake.injectSlashCommand({ name: 'paper', subcommand: 'search', options: { query: 'x' } });
    const [interaction] = await arrived;
    if (!interaction.isChatInputCommand()) throw new Error('expected a chat input command');

    const response = await interaction.reply({ content: 'with response', withResponse: true });
    expect((await injected.firstResponse()).query).toEqual({ with_response: 'true' });
    expect(response.interaction.id).toBe(interaction.id);
    expect(response.resource?.message?.content).toBe('with response');
  }, T);

  it('updates the message a button sits on (type 7) and defers a select (type 6)', async () => {
    const channel = client!.channels.cache.get(fake.state.channel('papers-ml').id) as TextChannel;
    const row = new ActionRowBuilder<ButtonBuilder>().addComponents(new ButtonBuilder().setCustomId('bookmark:1706.03762').setLabel('Save').setStyle(ButtonStyle.Primary));
    const posted = await channel.send({ content: 'A paper', components: [row] });

    const clicked = nextEvent(client!, 'interactionCreate');
    const button = fake.injectButton({ customId: 'bookmark:1706.03762', messageId: posted.id, user: 'bob' });
    const [click] = await clicked;
    if (!click.isButton()) throw new Error('expected a button');
    expect(click.customId).toBe('bookmark:1706.03762');
    expect(click.message.id).toBe(posted.id);
    await click.update({ content: 'A paper (saved)' });
    expect((await button.firstResponse()).body).toMatchObject({ type: 7, data: { content: 'A paper (saved)' } });
    expect(fake.state.messages.get(posted.id)?.content).toBe('A paper (saved)');

    const chosen = nextEvent(client!, 'interactionCreate');
    const select = fake.injectSelect({ customId: 'topic', values: ['ml', 'cv'], messageId: posted.id });
    const [choice] = await chosen;
    if (!choice.isStringSelectMenu()) throw new Error('expected a select');
    expect(choice.values).toEqual(['ml', 'cv']);
    await choice.deferUpdate();
    expect((await select.firstResponse()).body).toEqual({ type: 6 });
  }, T);

  it('delivers a modal submit with its fields', async () => {
    const arrived = nextEvent(client!, 'interactionCreate');
    const injected = fake.injectModalSubmit({ customId: 'note:1706.03762', fields: { note: 'read section 3' } });
    const [interaction] = await arrived;
    if (!interaction.isModalSubmit()) throw new Error('expected a modal submit');
    expect(interaction.fields.getTextInputValue('note')).toBe('read section 3');
    await interaction.reply({ content: 'Saved.', flags: MessageFlags.Ephemeral });
    expect((await injected.firstResponse()).body).toMatchObject({ type: 4 });
  }, T);

  it('given a reply later than the acknowledgement deadline then discord.js gets 10062 and a violation is recorded', async () => {
    await start({ interactionAckDeadlineMs: 100 });
    const arrived = nextEvent(client!, 'interactionCreate');
    fake.injectSlashCommand({ name: 'paper', subcommand: 'search', options: { query: 'slow' } });
    const [interaction] = await arrived;
    if (!interaction.isChatInputCommand()) throw new Error('expected a chat input command');

    await new Promise((resolve) => setTimeout(resolve, 200));
    const error: unknown = await interaction.reply('too late').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DiscordAPIError);
    expect(error).toMatchObject({ code: 10062, status: 404 });
    expect(fake.violations.map((v) => v.kind)).toEqual(['interaction-expired']);
  }, T);

  it('resolves option types and user/channel/role values from the registered command', async () => {
    await client!.application.commands.set([
      {
        name: 'topic',
        description: 'Manage topics',
        options: [
          {
            type: 1,
            name: 'add',
            description: 'Follow a topic in a channel',
            options: [
              { type: 3, name: 'query', description: 'What to follow', required: true },
              { type: 7, name: 'channel', description: 'Where to post', required: true },
              { type: 8, name: 'ping', description: 'Role to ping' },
              { type: 10, name: 'min_score', description: 'Threshold' },
            ],
          },
        ],
      },
    ]);
    const channel = fake.state.channel('papers-ml');
    const role = fake.state.role('Readers');
    const arrived = nextEvent(client!, 'interactionCreate');
    fake.injectSlashCommand({ name: 'topic', subcommand: 'add', options: { query: 'diffusion', channel: channel.id, ping: role.id, min_score: 2 } });
    const [interaction] = await arrived;
    if (!interaction.isChatInputCommand()) throw new Error('expected a chat input command');

    expect(interaction.commandId).toBe(fake.state.commandsOf(null)[0]?.id);
    expect(interaction.options.getChannel('channel')?.id).toBe(channel.id);
    expect(interaction.options.getRole('ping')?.name).toBe('Readers');
    // Registered as a NUMBER option: an integral value still arrives as type 10.
    expect(interaction.options.getNumber('min_score')).toBe(2);
    await interaction.reply({ content: 'ok', flags: MessageFlags.Ephemeral });
    expect(fake.violations).toEqual([]);
  }, T);
});
