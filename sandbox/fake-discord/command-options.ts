/**
 * A person's slash command checked against the registered command, as Discord does before the
 * bot sees it: Discord's client sends only a registered (sub)command, only the options it
 * declares, each of its type (a string for a string option, a whole number for an integer), one
 * of its choices when it has choices, within its min/max length or value, a channel of an
 * allowed type, an existing user or role, and every required option. A bot may rely on that
 * (`getString('topic', true).trim()`), so the sandbox's client API refuses what Discord would
 * never deliver instead of injecting it. limits.ts checks the other direction: the bot's payloads.
 *
 * Autocomplete is checked the same way except that required options may be missing and the
 * focused option carries the partial text as typed (a string even for a number option).
 */
import { OptionTypes, type CommandOptionsSpec, type OptionValue } from './dispatch-payloads.js';
import { codePoints } from './limits.js';
import type { FakeDiscordState, StoredCommand } from './state.js';

type Definition = Record<string, unknown>;

function isRecord(value: unknown): value is Definition {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionsOf(node: Definition | undefined): Definition[] {
  return node && Array.isArray(node.options) ? node.options.filter(isRecord) : [];
}

const isNesting = (option: Definition) => option.type === OptionTypes.Subcommand || option.type === OptionTypes.SubcommandGroup;

/** Values of integer options: Discord refuses integers outside ±2^53. */
const MAX_SAFE = Number.MAX_SAFE_INTEGER;

export interface CommandOptionsContext {
  readonly state: FakeDiscordState;
  /** The server the command is used in: channels and roles must be its own. */
  readonly guildId: string;
  /** Guild and global commands the application registered. */
  readonly commands: readonly StoredCommand[];
}

/**
 * Problems with a slash command or autocomplete a person sends, one readable line each
 * (`topic: must be text`); empty when Discord would deliver it.
 */
export function validateCommandOptions(spec: CommandOptionsSpec, context: CommandOptionsContext): string[] {
  const command = context.commands.find((c) => c.body.name === spec.name && (c.body.type ?? 1) === 1);
  if (!command) return [`/${spec.name} is not a registered command`];
  const problems: string[] = [];
  const leaf = leafOptions(command.body, spec, problems);
  if (!leaf) return problems;

  const given = spec.options ?? {};
  for (const [name, value] of Object.entries(given)) {
    const option = leaf.find((o) => o.name === name);
    if (!option) problems.push(`${name}: not an option of ${fullName(spec)}`);
    else problems.push(...checkValue(option, value, context).map((p) => `${name}: ${p}`));
  }
  if (spec.focused) {
    const option = leaf.find((o) => o.name === spec.focused?.name);
    if (!option || option.autocomplete !== true) problems.push(`${spec.focused.name}: not an autocomplete option of ${fullName(spec)}`);
    else if (spec.focused.name in given) problems.push(`${spec.focused.name}: focused and filled at once`);
  } else {
    for (const option of leaf) if (option.required === true && !(String(option.name) in given)) problems.push(`${String(option.name)}: required`);
  }
  return problems;
}

function fullName(spec: CommandOptionsSpec): string {
  return `/${[spec.name, spec.subcommandGroup, spec.subcommand].filter((n) => n !== undefined).join(' ')}`;
}

/** The plain options of the addressed (sub)command, or undefined after noting why there is none. */
function leafOptions(body: Definition, spec: CommandOptionsSpec, problems: string[]): Definition[] | undefined {
  let level = optionsOf(body);
  let at = `/${spec.name}`;
  const groups = level.filter((o) => o.type === OptionTypes.SubcommandGroup);
  if (spec.subcommandGroup !== undefined || groups.length > 0) {
    const group = groups.find((o) => o.name === spec.subcommandGroup);
    // A command may mix groups and plain subcommands: no group named means one of the latter.
    if (spec.subcommandGroup !== undefined && !group) {
      problems.push(`${at} has no subcommand group ${spec.subcommandGroup}`);
      return undefined;
    }
    if (group) {
      level = optionsOf(group);
      at = `${at} ${spec.subcommandGroup}`;
    }
  }
  const subcommands = level.filter((o) => o.type === OptionTypes.Subcommand);
  if (subcommands.length > 0 || spec.subcommand !== undefined) {
    const sub = subcommands.find((o) => o.name === spec.subcommand);
    if (!sub) {
      problems.push(spec.subcommand === undefined ? `${at} needs a subcommand` : `${at} has no subcommand ${spec.subcommand}`);
      return undefined;
    }
    level = optionsOf(sub);
  }
  return level.filter((o) => !isNesting(o));
}

function checkValue(option: Definition, value: OptionValue, context: CommandOptionsContext): string[] {
  const { state, guildId } = context;
  switch (option.type) {
    case OptionTypes.String: {
      if (typeof value !== 'string') return ['must be text'];
      const length = codePoints(value);
      const problems: string[] = [];
      if (typeof option.min_length === 'number' && length < option.min_length) problems.push(`must be at least ${option.min_length} characters`);
      if (typeof option.max_length === 'number' && length > option.max_length) problems.push(`must be at most ${option.max_length} characters`);
      if (length > 6000) problems.push('must be at most 6000 characters');
      return [...problems, ...checkChoice(option, value)];
    }
    case OptionTypes.Integer:
      if (typeof value !== 'number' || !Number.isInteger(value) || Math.abs(value) > MAX_SAFE) return ['must be a whole number'];
      return [...checkRange(option, value), ...checkChoice(option, value)];
    case OptionTypes.Number:
      if (typeof value !== 'number' || !Number.isFinite(value)) return ['must be a number'];
      return [...checkRange(option, value), ...checkChoice(option, value)];
    case OptionTypes.Boolean:
      return typeof value === 'boolean' ? [] : ['must be true or false'];
    case OptionTypes.User:
      return typeof value === 'string' && state.users.has(value) ? [] : ['must be a user'];
    case OptionTypes.Role:
      return typeof value === 'string' && state.roles.get(value)?.guildId === guildId ? [] : ['must be a role of this server'];
    case OptionTypes.Mentionable:
      return typeof value === 'string' && (state.users.has(value) || state.roles.get(value)?.guildId === guildId) ? [] : ['must be a user or a role of this server'];
    case OptionTypes.Channel: {
      const channel = typeof value === 'string' ? state.channels.get(value) : undefined;
      if (!channel || channel.guildId !== guildId) return ['must be a channel of this server'];
      const allowed = Array.isArray(option.channel_types) ? option.channel_types : undefined;
      return allowed && allowed.length > 0 && !allowed.includes(channel.type) ? [`#${channel.name ?? channel.id} is not a channel of an allowed type`] : [];
    }
    case OptionTypes.Attachment:
      return ['attachments cannot be sent from here'];
    default:
      return ['has a type the sandbox does not know'];
  }
}

function checkRange(option: Definition, value: number): string[] {
  const problems: string[] = [];
  if (typeof option.min_value === 'number' && value < option.min_value) problems.push(`must be at least ${option.min_value}`);
  if (typeof option.max_value === 'number' && value > option.max_value) problems.push(`must be at most ${option.max_value}`);
  return problems;
}

function checkChoice(option: Definition, value: string | number): string[] {
  if (!Array.isArray(option.choices) || option.choices.length === 0) return [];
  const values = option.choices.filter(isRecord).map((c) => c.value);
  return values.includes(value) ? [] : [`must be one of ${values.map((v) => JSON.stringify(v)).join(', ')}`];
}
