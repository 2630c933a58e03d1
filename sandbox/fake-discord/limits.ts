/**
 * Discord's payload limits, checked the way Discord checks them, so that the fake answers an
 * over-limit body with the same 400 / 50035 "Invalid Form Body" Discord would send.
 *
 * Lengths are counted in Unicode code points (an emoji is 1, not 2 UTF-16 units): that is
 * what Discord counts, and what the bot's renderer must count too.
 *
 * discord.js checks some of these in its builders but never the 6000-character total across
 * a message's embeds, and nothing at all when plain objects are passed: this is the net.
 */

export const DiscordLimits = {
  content: 2000,
  embedsPerMessage: 10,
  embedTitle: 256,
  embedDescription: 4096,
  embedFields: 25,
  embedFieldName: 256,
  embedFieldValue: 1024,
  embedFooterText: 2048,
  embedAuthorName: 256,
  /** Sum of title, description, field names and values, footer text and author name over all embeds. */
  embedTotal: 6000,
  actionRows: 5,
  componentsPerRow: 5,
  customId: 100,
  buttonLabel: 80,
  selectOptions: 25,
  selectOptionText: 100,
  selectPlaceholder: 150,
  autocompleteChoices: 25,
  choiceName: 100,
  choiceStringValue: 100,
  modalTitle: 45,
  /** `nonce` may be an integer or a string of at most 25 characters. */
  nonce: 25,
  filesPerMessage: 10,
  allowedMentionIds: 100,
  commandName: 32,
  commandDescription: 100,
  commandOptions: 25,
  commandChoices: 25,
  /** Combined length of names, descriptions and choice names/values of one command. */
  commandTotal: 4000,
  /** A thread's (forum post's) name. */
  threadName: 100,
  /** Tags one forum post carries. */
  appliedTags: 5,
  /** Tags one forum offers. */
  forumTags: 20,
  forumTagName: 20,
} as const;

/** Chat-input command and option names; Discord also requires lowercase where a letter has a lowercase form. */
export const COMMAND_NAME_PATTERN = /^[-_'\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;

/** Message flag that switches a message to the components-v2 layout (no content/embeds, other rules). */
const IS_COMPONENTS_V2 = 1 << 15;

export interface FieldError {
  readonly code: string;
  readonly message: string;
}

/** One problem, flattened: `path` like `data.embeds.0.description`. */
export interface FormIssue extends FieldError {
  readonly path: string;
}

export interface FormValidation {
  /** Nested exactly like Discord's `errors` object: `{ embeds: { 0: { title: { _errors: [...] } } } }`. */
  readonly errors: Record<string, unknown>;
  readonly issues: readonly FormIssue[];
}

type Path = readonly (string | number)[];

class FormErrorCollector {
  private readonly root: Record<string, unknown> = {};
  private readonly issues: FormIssue[] = [];

  add(path: Path, code: string, message: string): void {
    let node = this.root;
    for (const key of path) {
      const k = String(key);
      node[k] ??= {};
      node = node[k] as Record<string, unknown>;
    }
    node._errors ??= [];
    (node._errors as FieldError[]).push({ code, message });
    this.issues.push({ path: path.join('.'), code, message });
  }

  maxLength(path: Path, value: unknown, max: number): void {
    if (typeof value === 'string' && codePoints(value) > max) {
      this.add(path, 'BASE_TYPE_MAX_LENGTH', `Must be ${max} or fewer in length.`);
    } else if (Array.isArray(value) && value.length > max) {
      this.add(path, 'BASE_TYPE_MAX_LENGTH', `Must be ${max} or fewer in length.`);
    }
  }

  /** A required string of `min`..`max` code points. */
  requiredLength(path: Path, value: unknown, min: number, max: number): void {
    if (value === undefined || value === null) {
      this.add(path, 'BASE_TYPE_REQUIRED', 'This field is required');
    } else if (typeof value !== 'string') {
      this.add(path, 'BASE_TYPE_STRING', `Could not interpret "${String(value)}" as string.`);
    } else {
      const length = codePoints(value);
      if (length < min || length > max) {
        this.add(path, 'BASE_TYPE_BAD_LENGTH', `Must be between ${min} and ${max} in length.`);
      }
    }
  }

  string(path: Path, value: unknown): value is string | undefined | null {
    if (value === undefined || value === null || typeof value === 'string') return true;
    this.add(path, 'BASE_TYPE_STRING', `Could not interpret "${String(value)}" as string.`);
    return false;
  }

  result(): FormValidation | null {
    return this.issues.length === 0 ? null : { errors: this.root, issues: this.issues };
  }
}

export function codePoints(text: string): number {
  let count = 0;
  for (const _ of text) count += 1;
  return count;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asArray(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}

/** The text Discord counts towards the 6000-character limit, summed over all embeds. */
export function embedTextLength(embeds: readonly unknown[]): number {
  let total = 0;
  const add = (value: unknown): void => {
    if (typeof value === 'string') total += codePoints(value);
  };
  for (const embed of embeds) {
    if (!isRecord(embed)) continue;
    add(embed.title);
    add(embed.description);
    for (const field of asArray(embed.fields)) {
      if (isRecord(field)) {
        add(field.name);
        add(field.value);
      }
    }
    if (isRecord(embed.footer)) add(embed.footer.text);
    if (isRecord(embed.author)) add(embed.author.name);
  }
  return total;
}

export interface MessagePayloadContext {
  /** Where the message sits in the body: `[]` for channel messages, `['data']` for interaction callbacks. */
  readonly at?: Path;
  /** Number of files uploaded with the body (multipart). */
  readonly fileCount?: number;
}

/** Checks a message create or edit body (channel message, webhook message, interaction reply data). */
export function validateMessagePayload(body: unknown, context: MessagePayloadContext = {}): FormValidation | null {
  const errors = new FormErrorCollector();
  collectMessageErrors(errors, body, context.at ?? [], context.fileCount ?? 0);
  return errors.result();
}

function collectMessageErrors(errors: FormErrorCollector, body: unknown, at: Path, fileCount: number): void {
  if (!isRecord(body)) {
    if (body !== undefined) errors.add(at, 'DICT_TYPE_CONVERT', 'Only dictionaries may be used in a DictType');
    return;
  }
  if (errors.string([...at, 'content'], body.content)) {
    errors.maxLength([...at, 'content'], body.content, DiscordLimits.content);
  }

  if (body.nonce !== undefined && body.nonce !== null) {
    if (typeof body.nonce === 'string') {
      errors.maxLength([...at, 'nonce'], body.nonce, DiscordLimits.nonce);
    } else if (typeof body.nonce !== 'number' || !Number.isInteger(body.nonce)) {
      errors.add([...at, 'nonce'], 'BASE_TYPE_STRING', 'Could not interpret nonce as string or integer.');
    }
  }

  if (body.embeds !== undefined && body.embeds !== null) {
    collectEmbedErrors(errors, body.embeds, [...at, 'embeds']);
  }

  const flags = typeof body.flags === 'number' ? body.flags : 0;
  if (body.components !== undefined && body.components !== null) {
    if ((flags & IS_COMPONENTS_V2) !== 0) {
      collectCustomIdErrors(errors, body.components, [...at, 'components']);
    } else {
      collectActionRowErrors(errors, body.components, [...at, 'components']);
    }
  }

  if (isRecord(body.allowed_mentions)) {
    collectAllowedMentionErrors(errors, body.allowed_mentions, [...at, 'allowed_mentions']);
  }

  if (fileCount > DiscordLimits.filesPerMessage) {
    errors.add([...at, 'files'], 'BASE_TYPE_MAX_LENGTH', `Must be ${DiscordLimits.filesPerMessage} or fewer in length.`);
  }
}

function collectEmbedErrors(errors: FormErrorCollector, embeds: unknown, at: Path): void {
  if (!Array.isArray(embeds)) {
    errors.add(at, 'BASE_TYPE_LIST', 'Must be a list.');
    return;
  }
  errors.maxLength(at, embeds, DiscordLimits.embedsPerMessage);
  embeds.forEach((embed, index) => {
    const path = [...at, index];
    if (!isRecord(embed)) {
      errors.add(path, 'DICT_TYPE_CONVERT', 'Only dictionaries may be used in a DictType');
      return;
    }
    errors.maxLength([...path, 'title'], embed.title, DiscordLimits.embedTitle);
    errors.maxLength([...path, 'description'], embed.description, DiscordLimits.embedDescription);
    if (embed.color !== undefined && embed.color !== null) {
      const color = embed.color;
      if (typeof color !== 'number' || !Number.isInteger(color) || color < 0 || color > 0xffffff) {
        errors.add([...path, 'color'], 'NUMBER_TYPE_MAX', 'int value should be <= 16777215 and >= 0.');
      }
    }
    if (embed.fields !== undefined) {
      errors.maxLength([...path, 'fields'], embed.fields, DiscordLimits.embedFields);
      asArray(embed.fields).forEach((field, fieldIndex) => {
        const fieldPath = [...path, 'fields', fieldIndex];
        if (!isRecord(field)) {
          errors.add(fieldPath, 'DICT_TYPE_CONVERT', 'Only dictionaries may be used in a DictType');
          return;
        }
        // Empty names and values are rejected too: Discord wants at least one visible character.
        errors.requiredLength([...fieldPath, 'name'], field.name, 1, DiscordLimits.embedFieldName);
        errors.requiredLength([...fieldPath, 'value'], field.value, 1, DiscordLimits.embedFieldValue);
      });
    }
    if (isRecord(embed.footer)) {
      errors.requiredLength([...path, 'footer', 'text'], embed.footer.text, 1, DiscordLimits.embedFooterText);
    }
    if (isRecord(embed.author)) {
      errors.requiredLength([...path, 'author', 'name'], embed.author.name, 1, DiscordLimits.embedAuthorName);
    }
  });
  if (embedTextLength(embeds) > DiscordLimits.embedTotal) {
    errors.add(at, 'MAX_EMBED_SIZE_EXCEEDED', `Embed size exceeds maximum size of ${DiscordLimits.embedTotal}`);
  }
}

function collectActionRowErrors(errors: FormErrorCollector, rows: unknown, at: Path): void {
  if (!Array.isArray(rows)) {
    errors.add(at, 'BASE_TYPE_LIST', 'Must be a list.');
    return;
  }
  errors.maxLength(at, rows, DiscordLimits.actionRows);
  rows.forEach((row, rowIndex) => {
    const rowPath = [...at, rowIndex];
    if (!isRecord(row) || row.type !== 1) {
      errors.add([...rowPath, 'type'], 'UNION_TYPE_CHOICES', 'Value of field "type" must be one of (1,).');
      return;
    }
    const children = asArray(row.components);
    if (children.length === 0) {
      errors.add([...rowPath, 'components'], 'BASE_TYPE_MIN_LENGTH', 'Must be 1 or more in length.');
    }
    errors.maxLength([...rowPath, 'components'], children, DiscordLimits.componentsPerRow);
    const hasSelect = children.some((child) => isRecord(child) && child.type !== 2);
    if (hasSelect && children.length > 1) {
      // A select menu takes the whole width of its row.
      errors.add([...rowPath, 'components'], 'COMPONENT_LAYOUT_WIDTH_EXCEEDED', 'The specified component exceeds the maximum width');
    }
    children.forEach((child, childIndex) => collectComponentErrors(errors, child, [...rowPath, 'components', childIndex]));
  });
}

function collectComponentErrors(errors: FormErrorCollector, component: unknown, at: Path): void {
  if (!isRecord(component)) {
    errors.add(at, 'DICT_TYPE_CONVERT', 'Only dictionaries may be used in a DictType');
    return;
  }
  const type = component.type;
  if (type === 2) {
    const style = component.style;
    // Link (5) and premium (6) buttons carry no custom_id; every other style needs one.
    if (style === 5) {
      if (typeof component.url !== 'string') errors.add([...at, 'url'], 'BASE_TYPE_REQUIRED', 'This field is required');
    } else if (style !== 6) {
      errors.requiredLength([...at, 'custom_id'], component.custom_id, 1, DiscordLimits.customId);
    }
    errors.maxLength([...at, 'label'], component.label, DiscordLimits.buttonLabel);
    return;
  }
  if (type === 3 || type === 5 || type === 6 || type === 7 || type === 8) {
    errors.requiredLength([...at, 'custom_id'], component.custom_id, 1, DiscordLimits.customId);
    errors.maxLength([...at, 'placeholder'], component.placeholder, DiscordLimits.selectPlaceholder);
    for (const key of ['min_values', 'max_values'] as const) {
      const value = component[key];
      if (value !== undefined && (typeof value !== 'number' || value < (key === 'min_values' ? 0 : 1) || value > 25)) {
        errors.add([...at, key], 'NUMBER_TYPE_MAX', 'int value should be <= 25.');
      }
    }
    if (type === 3) {
      const options = asArray(component.options);
      if (options.length === 0) errors.add([...at, 'options'], 'BASE_TYPE_MIN_LENGTH', 'Must be 1 or more in length.');
      errors.maxLength([...at, 'options'], options, DiscordLimits.selectOptions);
      options.forEach((option, index) => {
        const path = [...at, 'options', index];
        if (!isRecord(option)) return;
        errors.requiredLength([...path, 'label'], option.label, 1, DiscordLimits.selectOptionText);
        errors.requiredLength([...path, 'value'], option.value, 1, DiscordLimits.selectOptionText);
        errors.maxLength([...path, 'description'], option.description, DiscordLimits.selectOptionText);
      });
    }
    return;
  }
  errors.add([...at, 'type'], 'UNION_TYPE_CHOICES', 'Value of field "type" must be one of (2, 3, 5, 6, 7, 8).');
}

/** Components v2 have their own layout rules; the fake checks only what every component shares. */
function collectCustomIdErrors(errors: FormErrorCollector, components: unknown, at: Path): void {
  asArray(components).forEach((component, index) => {
    if (!isRecord(component)) return;
    const path = [...at, index];
    if (component.custom_id !== undefined) errors.maxLength([...path, 'custom_id'], component.custom_id, DiscordLimits.customId);
    if (component.components !== undefined) collectCustomIdErrors(errors, component.components, [...path, 'components']);
    if (isRecord(component.accessory)) collectCustomIdErrors(errors, [component.accessory], [...path, 'accessory']);
  });
}

function collectAllowedMentionErrors(errors: FormErrorCollector, mentions: Record<string, unknown>, at: Path): void {
  const parse = asArray(mentions.parse);
  for (const kind of ['users', 'roles'] as const) {
    const ids = mentions[kind];
    if (ids === undefined) continue;
    errors.maxLength([...at, kind], ids, DiscordLimits.allowedMentionIds);
    // Discord refuses to both parse a kind and list ids of that kind.
    if (parse.includes(kind) && asArray(ids).length > 0) {
      errors.add(at, 'MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE', `parse:["${kind}"] and ${kind}: [ids...] are mutually exclusive.`);
    }
  }
  parse.forEach((kind, index) => {
    if (kind !== 'users' && kind !== 'roles' && kind !== 'everyone') {
      errors.add([...at, 'parse', index], 'ENUM_TYPE_COERCE', `Value "${String(kind)}" is not a valid enum value.`);
    }
  });
}

/** Discord's rule for "empty": no content (whitespace counts as none), embeds, components, stickers, poll or files. */
export function isEmptyMessage(body: unknown, fileCount: number): boolean {
  if (fileCount > 0) return false;
  if (!isRecord(body)) return true;
  const hasContent = typeof body.content === 'string' && body.content.trim().length > 0;
  return (
    !hasContent &&
    asArray(body.embeds).length === 0 &&
    asArray(body.components).length === 0 &&
    asArray(body.sticker_ids).length === 0 &&
    body.poll === undefined
  );
}

/** Interaction callback types (what `POST /interactions/{id}/{token}/callback` carries in `type`). */
export const CallbackTypes = {
  ChannelMessageWithSource: 4,
  DeferredChannelMessageWithSource: 5,
  DeferredUpdateMessage: 6,
  UpdateMessage: 7,
  ApplicationCommandAutocompleteResult: 8,
  Modal: 9,
} as const;

/** Checks the `data` of an interaction callback for its callback type. */
export function validateInteractionCallback(body: unknown, fileCount = 0): FormValidation | null {
  const errors = new FormErrorCollector();
  if (!isRecord(body)) {
    errors.add([], 'DICT_TYPE_CONVERT', 'Only dictionaries may be used in a DictType');
    return errors.result();
  }
  const data = body.data;
  switch (body.type) {
    case CallbackTypes.ChannelMessageWithSource:
    case CallbackTypes.UpdateMessage:
      collectMessageErrors(errors, data, ['data'], fileCount);
      break;
    case CallbackTypes.ApplicationCommandAutocompleteResult: {
      const choices = isRecord(data) ? data.choices : undefined;
      if (!Array.isArray(choices)) {
        errors.add(['data', 'choices'], 'BASE_TYPE_REQUIRED', 'This field is required');
        break;
      }
      errors.maxLength(['data', 'choices'], choices, DiscordLimits.autocompleteChoices);
      collectChoiceErrors(errors, choices, ['data', 'choices']);
      break;
    }
    case CallbackTypes.Modal: {
      const modal = isRecord(data) ? data : {};
      errors.requiredLength(['data', 'custom_id'], modal.custom_id, 1, DiscordLimits.customId);
      errors.requiredLength(['data', 'title'], modal.title, 1, DiscordLimits.modalTitle);
      const rows = asArray(modal.components);
      if (rows.length === 0) errors.add(['data', 'components'], 'BASE_TYPE_MIN_LENGTH', 'Must be 1 or more in length.');
      errors.maxLength(['data', 'components'], rows, 5);
      collectCustomIdErrors(errors, rows, ['data', 'components']);
      break;
    }
    case CallbackTypes.DeferredChannelMessageWithSource:
    case CallbackTypes.DeferredUpdateMessage:
      break;
    default:
      errors.add(['type'], 'BASE_TYPE_CHOICES', `Value must be one of {1, 4, 5, 6, 7, 8, 9, 10, 12}.`);
  }
  return errors.result();
}

function collectChoiceErrors(errors: FormErrorCollector, choices: readonly unknown[], at: Path): void {
  choices.forEach((choice, index) => {
    const path = [...at, index];
    if (!isRecord(choice)) {
      errors.add(path, 'DICT_TYPE_CONVERT', 'Only dictionaries may be used in a DictType');
      return;
    }
    errors.requiredLength([...path, 'name'], choice.name, 1, DiscordLimits.choiceName);
    if (typeof choice.value === 'string') {
      errors.maxLength([...path, 'value'], choice.value, DiscordLimits.choiceStringValue);
    } else if (typeof choice.value !== 'number') {
      errors.add([...path, 'value'], 'BASE_TYPE_REQUIRED', 'This field is required');
    }
  });
}

/** Option types that nest other options. */
const SUB_COMMAND = 1;
const SUB_COMMAND_GROUP = 2;

/** Checks a bulk-overwrite body for `PUT /applications/{app}[/guilds/{guild}]/commands`. */
export function validateCommands(body: unknown): FormValidation | null {
  const errors = new FormErrorCollector();
  if (!Array.isArray(body)) {
    errors.add([], 'BASE_TYPE_LIST', 'Must be a list.');
    return errors.result();
  }
  const seen = new Set<string>();
  body.forEach((command, index) => {
    if (!isRecord(command)) {
      errors.add([index], 'DICT_TYPE_CONVERT', 'Only dictionaries may be used in a DictType');
      return;
    }
    const type = typeof command.type === 'number' ? command.type : 1;
    if (type === 1) {
      collectNameErrors(errors, command.name, [index, 'name']);
    } else {
      // User and message (context menu) commands may use spaces and capitals: only 1–32 characters.
      errors.requiredLength([index, 'name'], command.name, 1, DiscordLimits.commandName);
    }
    const key = `${type}:${String(command.name)}`;
    if (seen.has(key)) {
      errors.add([index, 'name'], 'APPLICATION_COMMANDS_DUPLICATE_NAME', `Application command names must be unique`);
    }
    seen.add(key);
    if (type === 1) {
      errors.requiredLength([index, 'description'], command.description, 1, DiscordLimits.commandDescription);
      collectOptionErrors(errors, command.options, [index, 'options'], 0);
    } else if (typeof command.description === 'string' && command.description.length > 0) {
      // User and message (context menu) commands must have an empty description.
      errors.add([index, 'description'], 'BASE_TYPE_MAX_LENGTH', 'Must be 0 or fewer in length.');
    }
    if (commandTextLength(command) > DiscordLimits.commandTotal) {
      errors.add([index], 'APPLICATION_COMMAND_TOO_LARGE', `Command exceeds maximum size (${DiscordLimits.commandTotal})`);
    }
  });
  return errors.result();
}

/** Chat-input command and option names: the pattern, and lowercase wherever a letter has a lowercase form. */
function collectNameErrors(errors: FormErrorCollector, name: unknown, at: Path): void {
  if (typeof name !== 'string') {
    errors.add(at, 'BASE_TYPE_REQUIRED', 'This field is required');
    return;
  }
  if (!COMMAND_NAME_PATTERN.test(name) || name !== name.toLowerCase()) {
    errors.add(at, 'APPLICATION_COMMAND_INVALID_NAME', 'Command name is invalid');
  }
}

function collectOptionErrors(errors: FormErrorCollector, options: unknown, at: Path, depth: number): void {
  if (options === undefined || options === null) return;
  if (!Array.isArray(options)) {
    errors.add(at, 'BASE_TYPE_LIST', 'Must be a list.');
    return;
  }
  errors.maxLength(at, options, DiscordLimits.commandOptions);
  const names = new Set<string>();
  let sawOptional = false;
  let nests = 0;
  options.forEach((option, index) => {
    const path = [...at, index];
    if (!isRecord(option)) {
      errors.add(path, 'DICT_TYPE_CONVERT', 'Only dictionaries may be used in a DictType');
      return;
    }
    collectNameErrors(errors, option.name, [...path, 'name']);
    if (typeof option.name === 'string') {
      if (names.has(option.name)) errors.add([...path, 'name'], 'APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS', 'Option name already exists');
      names.add(option.name);
    }
    errors.requiredLength([...path, 'description'], option.description, 1, DiscordLimits.commandDescription);
    const type = option.type;
    if (typeof type !== 'number' || type < 1 || type > 11) {
      errors.add([...path, 'type'], 'BASE_TYPE_CHOICES', 'Value must be one of {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}.');
      return;
    }
    if (type === SUB_COMMAND || type === SUB_COMMAND_GROUP) {
      nests += 1;
      // Groups hold subcommands; subcommands hold plain options; nothing nests deeper.
      if ((type === SUB_COMMAND_GROUP && depth > 0) || (type === SUB_COMMAND && depth > 1)) {
        errors.add([...path, 'type'], 'APPLICATION_COMMAND_OPTION_TYPE_INVALID', 'Sub-command options cannot be nested this deep');
      }
      collectOptionErrors(errors, option.options, [...path, 'options'], depth + 1);
      return;
    }
    if (option.required === true && sawOptional) {
      errors.add([...path, 'required'], 'APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID', 'Required options must be placed before non-required options');
    }
    if (option.required !== true) sawOptional = true;
    if (option.choices !== undefined) {
      errors.maxLength([...path, 'choices'], option.choices, DiscordLimits.commandChoices);
      collectChoiceErrors(errors, asArray(option.choices), [...path, 'choices']);
      if (option.autocomplete === true && asArray(option.choices).length > 0) {
        errors.add([...path, 'autocomplete'], 'APPLICATION_COMMAND_AUTOCOMPLETE_INVALID', 'Autocomplete cannot be set with choices');
      }
    }
  });
  if (nests > 0 && nests !== options.length) {
    errors.add(at, 'APPLICATION_COMMAND_OPTIONS_TYPE_INVALID', 'Sub-command and sub-command group option types are mutually exclusive to all other types');
  }
}

function commandTextLength(command: Record<string, unknown>): number {
  let total = 0;
  const visit = (node: Record<string, unknown>): void => {
    for (const key of ['name', 'description'] as const) {
      const value = node[key];
      if (typeof value === 'string') total += codePoints(value);
    }
    for (const choice of asArray(node.choices)) {
      if (!isRecord(choice)) continue;
      if (typeof choice.name === 'string') total += codePoints(choice.name);
      if (typeof choice.value === 'string') total += codePoints(choice.value);
    }
    for (const option of asArray(node.options)) if (isRecord(option)) visit(option);
  };
  visit(command);
  return total;
}

/** Human-readable lines for test failures: `data.embeds: MAX_EMBED_SIZE_EXCEEDED Embed size exceeds ...`. */
export function describeIssues(issues: readonly FormIssue[]): string[] {
  return issues.map((issue) => `${issue.path || '(body)'}: ${issue.code} ${issue.message}`);
}

/**
 * `POST /channels/{forum}/threads`: a name of 1–100, at most 5 applied tags, each one of the
 * forum's tags, and a starter `message` checked like any message (and not empty).
 */
export function validateForumThread(body: unknown, availableTagIds: ReadonlySet<string>, fileCount = 0): FormValidation | null {
  const errors = new FormErrorCollector();
  const record = isRecord(body) ? body : {};
  errors.requiredLength(['name'], record.name, 1, DiscordLimits.threadName);
  if (record.applied_tags !== undefined && record.applied_tags !== null) {
    const tags = asArray(record.applied_tags);
    errors.maxLength(['applied_tags'], tags, DiscordLimits.appliedTags);
    tags.forEach((tag, i) => {
      if (!availableTagIds.has(String(tag))) errors.add(['applied_tags', i], 'FORUM_TAG_UNKNOWN', 'Tag does not exist in this forum.');
    });
  }
  if (!isRecord(record.message)) errors.add(['message'], 'BASE_TYPE_REQUIRED', 'This field is required');
  else collectMessageErrors(errors, record.message, ['message'], fileCount);
  return errors.result();
}

/** `PATCH /channels/{forum}` with `available_tags`: at most 20 tags, each named in 1–20 code points. */
export function validateForumTags(tags: unknown): FormValidation | null {
  const errors = new FormErrorCollector();
  if (!Array.isArray(tags)) {
    errors.add(['available_tags'], 'BASE_TYPE_LIST', 'Must be a list.');
    return errors.result();
  }
  errors.maxLength(['available_tags'], tags, DiscordLimits.forumTags);
  tags.forEach((tag, i) => errors.requiredLength(['available_tags', i, 'name'], isRecord(tag) ? tag.name : undefined, 1, DiscordLimits.forumTagName));
  return errors.result();
}
