/**
 * The slash-command box's text, understood the way Discord's client understands its chips:
 * `/paper search query: dpo author:rafailov sort: newest public: true`. An option's value runs
 * up to the next `name:` of an option of that (sub)command, so values may hold spaces and
 * colons (`author:rafailov` is search syntax, not an option). Pure functions: no DOM.
 */
import { OptionType, type CommandBody, type CommandOption } from './types.js';

export type OptionValue = string | number | boolean;

export type ParsedLine =
  | { stage: 'none' }
  | { stage: 'command'; partial: string }
  | { stage: 'subcommand'; command: CommandBody; group?: CommandOption; choices: CommandOption[]; partial: string; prefix: string }
  | {
      stage: 'options';
      command: CommandBody;
      group?: CommandOption;
      sub?: CommandOption;
      /** The options of the (sub)command the values belong to. */
      level: CommandOption[];
      /** Text before the first `name:` (typed but not yet an option). */
      loose: string;
      values: { option: CommandOption; raw: string; start: number }[];
      /** `/paper search ` — what precedes the options. */
      prefix: string;
    };

const isGroup = (o: CommandOption) => o.type === OptionType.SubcommandGroup || o.type === OptionType.Subcommand;

function nextToken(text: string, from: number): { token: string; end: number } {
  let start = from;
  while (text[start] === ' ') start++;
  let end = start;
  while (end < text.length && text[end] !== ' ') end++;
  return { token: text.slice(start, end), end };
}

export function parseLine(text: string, commands: readonly CommandBody[]): ParsedLine {
  if (!text.startsWith('/')) return { stage: 'none' };
  // A name typed in full counts as chosen, with or without the space after it.
  const first = nextToken(text, 1);
  const command = commands.find((c) => c.name === first.token.toLowerCase());
  if (!command) return { stage: 'command', partial: first.token };
  let level = command.options ?? [];
  let at = first.end;
  let group: CommandOption | undefined;
  let sub: CommandOption | undefined;
  while (level.some(isGroup)) {
    const next = nextToken(text, at);
    const prefix = text.slice(0, at).trimEnd() + ' ';
    const found = level.find((o) => isGroup(o) && o.name === next.token.toLowerCase());
    if (!found) return { stage: 'subcommand', command, ...(group ? { group } : {}), choices: level.filter(isGroup), partial: next.token, prefix };
    if (found.type === OptionType.SubcommandGroup) group = found;
    else sub = found;
    level = found.options ?? [];
    at = next.end;
  }
  const prefix = text.slice(0, at).trimEnd() + ' ';
  const rest = text.slice(prefix.length);
  const names = level.map((o) => o.name.replace(/[^\w-]/g, ''));
  const values: { option: CommandOption; raw: string; start: number }[] = [];
  let loose = rest;
  if (names.length > 0) {
    const marker = new RegExp(`(^|\\s)(${names.join('|')}):`, 'g');
    const found = [...rest.matchAll(marker)];
    if (found.length > 0) loose = rest.slice(0, found[0]!.index);
    found.forEach((match, i) => {
      const option = level.find((o) => o.name === match[2])!;
      const start = match.index + match[0].length;
      const end = i + 1 < found.length ? found[i + 1]!.index : rest.length;
      values.push({ option, raw: rest.slice(start, end).replace(/^ /, ''), start: prefix.length + start });
    });
  }
  return { stage: 'options', command, ...(group ? { group } : {}), ...(sub ? { sub } : {}), level, loose, values, prefix };
}

export type Lookup = {
  channels: readonly { id: string; name: string }[];
  roles: readonly { id: string; name: string }[];
  people: readonly { id: string; name: string }[];
};

/** A typed value → what the interaction carries, or a message saying what is wrong. */
export function coerce(option: CommandOption, raw: string, lookup: Lookup): { value: OptionValue } | { error: string } {
  const text = raw.trim();
  const byName = <T extends { id: string; name: string }>(list: readonly T[], sigil: string) => {
    const wanted = text.replace(new RegExp(`^\\${sigil}`), '').toLowerCase();
    return list.find((item) => item.id === text || item.name.toLowerCase() === wanted);
  };
  switch (option.type) {
    case OptionType.Integer:
      return /^-?\d{1,15}$/.test(text) ? { value: Number(text) } : { error: `${option.name} must be a whole number` };
    case OptionType.Number:
      return text !== '' && Number.isFinite(Number(text)) ? { value: Number(text) } : { error: `${option.name} must be a number` };
    case OptionType.Boolean:
      if (/^(true|yes)$/i.test(text)) return { value: true };
      if (/^(false|no)$/i.test(text)) return { value: false };
      return { error: `${option.name} must be true or false` };
    case OptionType.Channel: {
      const channel = byName(lookup.channels, '#');
      return channel ? { value: channel.id } : { error: `${option.name}: no channel called ${text}` };
    }
    case OptionType.Role: {
      const role = byName(lookup.roles, '@');
      return role ? { value: role.id } : { error: `${option.name}: no role called ${text}` };
    }
    case OptionType.User:
    case OptionType.Mentionable: {
      const person = byName(lookup.people, '@');
      return person ? { value: person.id } : { error: `${option.name}: nobody called ${text}` };
    }
    default: {
      const choice = option.choices?.find((c) => c.name.toLowerCase() === text.toLowerCase());
      return { value: choice ? choice.value : text };
    }
  }
}

export type CommandRequest = { name: string; subcommandGroup?: string; subcommand?: string; options: Record<string, OptionValue> };

/** The interaction a finished line sends, or why it cannot be sent yet. */
export function toCommandRequest(line: ParsedLine, lookup: Lookup): { request: CommandRequest } | { error: string } {
  if (line.stage === 'none') return { error: 'Commands start with /' };
  if (line.stage === 'command') return { error: `No command called /${line.partial}` };
  if (line.stage === 'subcommand') return { error: `/${line.command.name} needs one of: ${line.choices.map((c) => c.name).join(', ')}` };
  const options: Record<string, OptionValue> = {};
  for (const { option, raw } of line.values) {
    if (raw.trim() === '') continue;
    const result = coerce(option, raw, lookup);
    if ('error' in result) return { error: result.error };
    options[option.name] = result.value;
  }
  const missing = line.level.filter((o) => o.required && !(o.name in options));
  if (missing.length > 0) return { error: `Missing ${missing.map((o) => o.name).join(', ')}` };
  return {
    request: {
      name: line.command.name,
      ...(line.group ? { subcommandGroup: line.group.name } : {}),
      ...(line.sub ? { subcommand: line.sub.name } : {}),
      options,
    },
  };
}

/** Options filled so far, for an autocomplete interaction (Discord sends them alongside the focused one). */
export function filledOptions(line: ParsedLine & { stage: 'options' }, except: string, lookup: Lookup): Record<string, OptionValue> {
  const options: Record<string, OptionValue> = {};
  for (const { option, raw } of line.values) {
    if (option.name === except || raw.trim() === '') continue;
    const result = coerce(option, raw, lookup);
    if ('value' in result) options[option.name] = result.value;
  }
  return options;
}
