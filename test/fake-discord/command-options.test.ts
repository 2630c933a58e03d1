import { describe, expect, it } from 'vitest';
import { validateCommandOptions, type CommandOptionsContext } from '../../sandbox/fake-discord/command-options.js';
import { ChannelTypes, FakeDiscordState, type StoredCommand } from '../../sandbox/fake-discord/state.js';
import { SANDBOX_GUILD, SANDBOX_IDS } from '../../sandbox/sandbox-guild.js';

/** A command shaped like Paperboy's: subcommands, a required channel of some types, choices, ranges, autocomplete. */
const topic: StoredCommand = {
  id: '1300000000000000900',
  guildId: SANDBOX_IDS.guild,
  version: '1',
  body: {
    type: 1,
    name: 'topic',
    description: 'Topics',
    options: [
      {
        type: 1,
        name: 'add',
        description: 'Add',
        options: [
          { type: 3, name: 'name', description: 'Name', required: true, max_length: 5 },
          { type: 7, name: 'channel', description: 'Where', required: true, channel_types: [ChannelTypes.text] },
          { type: 4, name: 'max', description: 'Per run', min_value: 1, max_value: 10 },
          { type: 3, name: 'sort', description: 'Order', choices: [{ name: 'Newest', value: 'newest' }, { name: 'Best', value: 'best' }] },
          { type: 8, name: 'role', description: 'Ping' },
          { type: 5, name: 'digest', description: 'Digest' },
        ],
      },
      { type: 1, name: 'why', description: 'Why', options: [{ type: 3, name: 'topic', description: 'Which', autocomplete: true }] },
    ],
  },
};

const state = new FakeDiscordState({ guilds: [SANDBOX_GUILD] });
const context: CommandOptionsContext = { state, guildId: SANDBOX_IDS.guild, commands: [topic] };
const add = (options: Record<string, string | number | boolean>) => validateCommandOptions({ name: 'topic', subcommand: 'add', options }, context);
const valid = { name: 'ml', channel: SANDBOX_IDS.general };

describe('a person’s slash command checked against the registered command', () => {
  it('given options of their declared types then Discord would deliver it', () => {
    expect(add({ ...valid, max: 10, sort: 'best', role: SANDBOX_IDS.readers, digest: false })).toEqual([]);
  });

  it('given a boolean for a string option, or text for an integer, then it names the option and the type', () => {
    expect(validateCommandOptions({ name: 'topic', subcommand: 'why', options: { topic: true } }, context)).toEqual(['topic: must be text']);
    expect(add({ ...valid, max: '3' })).toEqual(['max: must be a whole number']);
    expect(add({ ...valid, max: 2.5 })).toEqual(['max: must be a whole number']);
    expect(add({ ...valid, digest: 'yes' })).toEqual(['digest: must be true or false']);
  });

  it('given a value outside the choices, ranges or lengths then it says which bound', () => {
    expect(add({ ...valid, sort: 'oldest' })).toEqual(['sort: must be one of "newest", "best"']);
    expect(add({ ...valid, max: 0 })).toEqual(['max: must be at least 1']);
    expect(add({ ...valid, max: 11 })).toEqual(['max: must be at most 10']);
    // Code points, as Discord counts: five emoji fit a max_length of 5.
    expect(add({ ...valid, name: '📄📄📄📄📄' })).toEqual([]);
    expect(add({ ...valid, name: 'toolong' })).toEqual(['name: must be at most 5 characters']);
  });

  it('given an unknown channel, a channel of another type, or an unknown role then it refuses them', () => {
    expect(add({ ...valid, channel: '1300000000000000999' })).toEqual(['channel: must be a channel of this server']);
    expect(add({ ...valid, channel: SANDBOX_IDS.announcements })).toEqual(['channel: #paper-news is not a channel of an allowed type']);
    expect(add({ ...valid, channel: SANDBOX_IDS.papers })).toEqual(['channel: #Papers is not a channel of an allowed type']);
    expect(add({ ...valid, role: '1300000000000000999' })).toEqual(['role: must be a role of this server']);
  });

  it('given a missing required option, an undeclared option or subcommand, or an unknown command then it says so', () => {
    expect(add({ name: 'ml' })).toEqual(['channel: required']);
    expect(add({ ...valid, colour: 'red' })).toEqual(['colour: not an option of /topic add']);
    expect(validateCommandOptions({ name: 'topic', options: {} }, context)).toEqual(['/topic needs a subcommand']);
    expect(validateCommandOptions({ name: 'topic', subcommand: 'drop', options: {} }, context)).toEqual(['/topic has no subcommand drop']);
    expect(validateCommandOptions({ name: 'nope', options: {} }, context)).toEqual(['/nope is not a registered command']);
  });

  it('given autocomplete then required options may be missing, but the focused one must offer autocomplete', () => {
    expect(validateCommandOptions({ name: 'topic', subcommand: 'why', options: {}, focused: { name: 'topic', value: 'm' } }, context)).toEqual([]);
    expect(validateCommandOptions({ name: 'topic', subcommand: 'add', options: {}, focused: { name: 'name', value: 'm' } }, context)).toEqual([
      'name: not an autocomplete option of /topic add',
    ]);
  });
});
