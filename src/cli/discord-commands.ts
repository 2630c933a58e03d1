import { commands } from '../../commands/index.js';
import { ConfigError } from '../config.js';
import { deployCommands, INVITE_PERMISSIONS, inviteUrl } from '../discord/deploy-commands.js';
import { EXIT, UsageError, write, type Command } from './command.js';

export const deployCommandsCommand: Command = {
  args: '',
  summary: 'register the slash commands with Discord (skipped when unchanged)',
  options: {
    guild: { type: 'string', value: 'ID', help: 'only in this server (default DISCORD_GUILD_ID, else global)' },
    force: { type: 'boolean', help: 'deploy even when nothing changed' },
  },
  positionals: { min: 0, max: 0 },
  async run({ values }, ctx) {
    // Checked before the environment: DISCORD_GUILD_ID was validated with it, the flag is usage.
    if (typeof values.guild === 'string' && !/^\d{17,20}$/.test(values.guild)) {
      throw new UsageError('--guild must be a server id (17–20 digits)');
    }
    const { discord } = ctx.config();
    if (!discord.token) throw new ConfigError('DISCORD_TOKEN: missing: deploying commands needs the bot token (see .env.example)');
    if (!discord.clientId) throw new ConfigError('DISCORD_CLIENT_ID: missing: the application id from the developer portal (see .env.example)');
    const guild = typeof values.guild === 'string' ? values.guild : discord.guildId;
    const service = await ctx.openService();
    const result = await deployCommands({
      bodies: commands.map((c) => c.data),
      token: discord.token,
      applicationId: discord.clientId,
      ...(guild ? { guildId: guild } : {}),
      ...(discord.apiUrl ? { apiUrl: discord.apiUrl } : {}),
      deployed: service.stores.deploys,
      force: values.force === true,
    });
    const what = `${result.commands} command${result.commands === 1 ? '' : 's'} (${result.scope})`;
    await write(
      ctx.io.stdout,
      result.action === 'deployed'
        ? `deployed ${what}${result.scope === 'global' ? '; global commands can take up to an hour to appear' : ''}\n`
        : `unchanged since the last deploy: ${what}; nothing sent (--force to deploy anyway)\n`,
    );
    return EXIT.ok;
  },
};

export const inviteCommand: Command = {
  args: '',
  summary: 'print the link that adds the bot to a server',
  options: {},
  positionals: { min: 0, max: 0 },
  async run(_args, ctx) {
    const { discord } = ctx.config();
    if (!discord.clientId) throw new ConfigError('DISCORD_CLIENT_ID: missing: the application id from the developer portal (see .env.example)');
    await write(ctx.io.stdout, `${inviteUrl(discord.clientId)}\n`);
    if (ctx.io.stdout.isTTY) {
      await write(ctx.io.stderr, `scopes: bot applications.commands; permissions: ${INVITE_PERMISSIONS.length} (see README, "Inviting the bot")\n`);
    }
    return EXIT.ok;
  },
};
