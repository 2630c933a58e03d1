import {
  ButtonStyle,
  ComponentType,
  MessageFlags,
  type APIActionRowComponent,
  type APIApplicationCommandOptionChoice,
  type APIComponentInMessageActionRow,
  type APIEmbed,
} from 'discord.js';
import { codePoints, plainLinkSafe, truncate } from './text.js';

/** Discord's payload limits, in code points (texts) or counts (lists). */
export const DISCORD_LIMITS = {
  content: 2000,
  embeds: 10,
  embedTitle: 256,
  embedDescription: 4096,
  embedFields: 25,
  fieldName: 256,
  fieldValue: 1024,
  footer: 2048,
  author: 256,
  /** Sum of titles, descriptions, field names and values, footer texts and author names over all embeds. */
  embedTotal: 6000,
  actionRows: 5,
  buttonsPerRow: 5,
  customId: 100,
  selectOptions: 25,
  selectLabel: 100,
  selectDescription: 100,
  buttonLabel: 80,
  choices: 25,
  choiceName: 100,
  choiceValue: 100,
} as const;

/** Not in the list above because nothing renders one long enough to matter; Discord rejects more. */
const SELECT_PLACEHOLDER = 150;
const MAX_ALLOWED_ROLES = 100;

export type MessageActionRow = APIActionRowComponent<APIComponentInMessageActionRow>;

/** `parse: []` always: nothing in a message pings except roles listed by id (a topic's ping role). */
export type AllowedMentions = { parse: []; roles?: string[] };

/**
 * What every renderer returns, ready for discord.js: the top level uses discord.js option names
 * (`allowedMentions`, camelCase) while embeds and components are raw Discord API JSON
 * (snake_case), which discord.js passes through unchanged (see MessagePayload#resolveBody: it
 * runs plain objects through `toSnakeCase`, which leaves snake_case keys as they are).
 *
 * Assignable to `channel.send`, `interaction.reply`, `interaction.update`, `message.edit`.
 */
export type RenderedMessage = {
  content?: string;
  embeds?: APIEmbed[];
  components?: MessageActionRow[];
  allowedMentions: AllowedMentions;
};

/**
 * An interaction reply only the user sees. The flag is typed so that passing one to
 * `channel.send` or `interaction.update` (which refuse it) fails to compile: use `asUpdate`.
 */
export type EphemeralMessage = RenderedMessage & { flags: MessageFlags.Ephemeral };

/** What renderers build before `finalizeMessage` makes it fit. */
export type MessageDraft = {
  content?: string;
  embeds?: APIEmbed[];
  components?: MessageActionRow[];
  /** Only `roles` is honoured; `parse` and `users` are always dropped. */
  allowedMentions?: { parse?: readonly string[]; roles?: readonly string[]; users?: readonly string[] };
  flags?: MessageFlags.Ephemeral;
};

/**
 * A copy of `draft` that Discord accepts: every text clamped (code points), the 6000 total held,
 * list lengths cut, `allowedMentions.parse` empty. A custom_id over 100 code points, a select
 * value over 100, two components sharing a custom_id or a select sharing its row are bugs in a
 * renderer, not data problems: those throw.
 */
export function finalizeMessage(draft: MessageDraft & { flags: MessageFlags.Ephemeral }): EphemeralMessage;
export function finalizeMessage(draft: MessageDraft): RenderedMessage;
export function finalizeMessage(draft: MessageDraft): RenderedMessage | EphemeralMessage {
  const message: RenderedMessage & { flags?: MessageFlags.Ephemeral } = {
    allowedMentions: finalizeAllowedMentions(draft.allowedMentions),
  };
  if (draft.content !== undefined) message.content = truncate(draft.content, DISCORD_LIMITS.content);
  if (draft.embeds !== undefined) {
    message.embeds = fitEmbedTotal(draft.embeds.slice(0, DISCORD_LIMITS.embeds).map(clampEmbed));
  }
  if (draft.components !== undefined) message.components = finalizeComponents(draft.components);
  if (draft.flags !== undefined) message.flags = draft.flags;
  return message;
}

/** The same message as an ephemeral interaction reply. */
export function ephemeral(message: RenderedMessage): EphemeralMessage {
  return { ...message, flags: MessageFlags.Ephemeral };
}

/**
 * The message for `interaction.update` / `editReply` / `message.edit`: those keep any field left
 * undefined and refuse the ephemeral flag, so this drops the flag and sets content, embeds and
 * components explicitly, replacing the whole message.
 */
export function asUpdate(message: RenderedMessage | EphemeralMessage): RenderedMessage {
  return {
    content: message.content ?? '',
    embeds: message.embeds ?? [],
    components: message.components ?? [],
    allowedMentions: message.allowedMentions,
  };
}

/** Join custom_id parts with `:`; over 100 code points is a programming error (ids too long). */
export function customId(...parts: readonly (string | number)[]): string {
  const id = parts.join(':');
  const length = codePoints(id);
  if (length > DISCORD_LIMITS.customId) {
    throw new RangeError(`custom_id "${id.slice(0, 40)}…" is ${length} code points; Discord allows ${DISCORD_LIMITS.customId}`);
  }
  return id;
}

/**
 * Autocomplete choices Discord accepts: ≤ 25, names cut to 100 code points, duplicates (by value)
 * dropped. A string value over 100 cannot be cut (a cut id names nothing), so that choice is dropped.
 */
export function finalizeChoices<V extends string | number>(
  choices: readonly { name: string; value: V }[],
): APIApplicationCommandOptionChoice<V>[] {
  const out: APIApplicationCommandOptionChoice<V>[] = [];
  const seen = new Set<V>();
  for (const choice of choices) {
    if (out.length >= DISCORD_LIMITS.choices) break;
    if (typeof choice.value === 'string' && (choice.value.length === 0 || codePoints(choice.value) > DISCORD_LIMITS.choiceValue)) continue;
    if (seen.has(choice.value)) continue;
    seen.add(choice.value);
    // Choice names are shown verbatim (no markdown, no mentions): only whitespace and length matter.
    const name = truncate(choice.name.replace(/\s+/g, ' ').trim(), DISCORD_LIMITS.choiceName);
    out.push({ name: name || truncate(String(choice.value), DISCORD_LIMITS.choiceName), value: choice.value });
  }
  return out;
}

function finalizeAllowedMentions(requested: MessageDraft['allowedMentions']): AllowedMentions {
  const roles = [...new Set(requested?.roles ?? [])].filter((id) => /^\d{1,20}$/.test(id)).slice(0, MAX_ALLOWED_ROLES);
  return roles.length > 0 ? { parse: [], roles } : { parse: [] };
}

// ---------------------------------------------------------------------------------------------
// Embeds

/** The text Discord counts towards the 6000 total. */
export function embedTextLength(embeds: readonly APIEmbed[]): number {
  let total = 0;
  for (const embed of embeds) {
    total += codePoints(embed.title ?? '') + codePoints(embed.description ?? '');
    for (const field of embed.fields ?? []) total += codePoints(field.name) + codePoints(field.value);
    total += codePoints(embed.footer?.text ?? '') + codePoints(embed.author?.name ?? '');
  }
  return total;
}

/** Discord refuses empty field names/values; a zero-width space is the usual blank. */
const BLANK = '\u200b';

function clampEmbed(source: APIEmbed): APIEmbed {
  const embed = structuredClone(source);
  setText(embed, 'title', embed.title, DISCORD_LIMITS.embedTitle);
  setText(embed, 'description', embed.description, DISCORD_LIMITS.embedDescription);
  if (embed.fields) {
    embed.fields = embed.fields.slice(0, DISCORD_LIMITS.embedFields).map((field) => ({
      ...field,
      name: truncate(field.name, DISCORD_LIMITS.fieldName) || BLANK,
      value: truncate(field.value, DISCORD_LIMITS.fieldValue) || BLANK,
    }));
    if (embed.fields.length === 0) delete embed.fields;
  }
  if (embed.footer) {
    const text = truncate(embed.footer.text ?? '', DISCORD_LIMITS.footer);
    if (text) {
      embed.footer.text = text;
      safeUrl(embed.footer, 'icon_url');
    } else delete embed.footer;
  }
  if (embed.author) {
    const name = truncate(embed.author.name ?? '', DISCORD_LIMITS.author);
    if (name) {
      embed.author.name = name;
      safeUrl(embed.author, 'url');
      safeUrl(embed.author, 'icon_url');
    } else delete embed.author;
  }
  // Discord rejects the whole message for one malformed URL ("Not a well formed URL").
  safeUrl(embed, 'url');
  for (const key of ['thumbnail', 'image'] as const) {
    const media = embed[key];
    if (media && !plainLinkSafe(media.url)) delete embed[key];
    else if (media) media.url = plainLinkSafe(media.url)!;
  }
  if (embed.color !== undefined && !(Number.isInteger(embed.color) && embed.color >= 0 && embed.color <= 0xffffff)) {
    delete embed.color;
  }
  return embed;
}

function setText<K extends 'title' | 'description'>(embed: APIEmbed, key: K, value: string | undefined, max: number): void {
  if (value === undefined) return;
  const text = truncate(value, max);
  if (text) embed[key] = text;
  else delete embed[key];
}

function safeUrl<T extends object, K extends keyof T & string>(holder: T, key: K): void {
  const value = holder[key];
  if (value === undefined) return;
  const safe = typeof value === 'string' ? plainLinkSafe(value) : undefined;
  if (safe) (holder as Record<string, unknown>)[key] = safe;
  else delete holder[key];
}

/** One shrinkable text in the embeds: its current value, how to replace it, how short it may get. */
type Slot = { get: () => string; set: (text: string) => void; floor: number };

/**
 * Hold the 6000 total across embeds. Texts shrink in stages, each stage "water-filling" (the
 * longest text is cut first, down to the level where enough is freed): descriptions first, then
 * field values, field names, titles, footers and authors. Fields keep at least `…`. A stage runs
 * only when the previous ones were not enough; trailing embeds are dropped as a last resort.
 */
function fitEmbedTotal(embeds: APIEmbed[]): APIEmbed[] {
  const stages: Slot[][] = [
    embeds.map((e) => textSlot(e, 'description', 0)),
    embeds.flatMap((e) => (e.fields ?? []).map((f) => fieldSlot(f, 'value'))),
    embeds.flatMap((e) => (e.fields ?? []).map((f) => fieldSlot(f, 'name'))),
    embeds.map((e) => textSlot(e, 'title', 0)),
    embeds.flatMap((e) => [footerSlot(e), authorSlot(e)]),
  ];
  for (const slots of stages) {
    const excess = embedTextLength(embeds) - DISCORD_LIMITS.embedTotal;
    if (excess <= 0) return embeds;
    shrink(slots, excess);
  }
  while (embeds.length > 1 && embedTextLength(embeds) > DISCORD_LIMITS.embedTotal) embeds.pop();
  return embeds;
}

function shrink(slots: readonly Slot[], excess: number): void {
  const lengths = slots.map((slot) => codePoints(slot.get()));
  const freedAt = (level: number): number =>
    lengths.reduce((sum, length, i) => sum + Math.max(0, length - Math.max(level, slots[i]!.floor)), 0);
  // The highest level that frees enough (or 0: everything down to its floor).
  let low = 0;
  let high = Math.max(0, ...lengths);
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (freedAt(mid) >= excess) low = mid;
    else high = mid - 1;
  }
  slots.forEach((slot, i) => {
    const cap = Math.max(low, slot.floor);
    if (lengths[i]! > cap) slot.set(truncate(slot.get(), cap));
  });
}

function textSlot(embed: APIEmbed, key: 'title' | 'description', floor: number): Slot {
  return {
    get: () => embed[key] ?? '',
    set: (text) => {
      if (text) embed[key] = text;
      else delete embed[key];
    },
    floor,
  };
}

function fieldSlot(field: { name: string; value: string }, key: 'name' | 'value'): Slot {
  return { get: () => field[key], set: (text) => (field[key] = text || BLANK), floor: 1 };
}

function footerSlot(embed: APIEmbed): Slot {
  return {
    get: () => embed.footer?.text ?? '',
    set: (text) => {
      if (text && embed.footer) embed.footer.text = text;
      else delete embed.footer;
    },
    floor: 0,
  };
}

function authorSlot(embed: APIEmbed): Slot {
  return {
    get: () => embed.author?.name ?? '',
    set: (text) => {
      if (text && embed.author) embed.author.name = text;
      else delete embed.author;
    },
    floor: 0,
  };
}

// ---------------------------------------------------------------------------------------------
// Components

function finalizeComponents(rows: readonly MessageActionRow[]): MessageActionRow[] {
  const ids = new Set<string>();
  const claim = (id: string): void => {
    const length = codePoints(id);
    if (length === 0 || length > DISCORD_LIMITS.customId) {
      throw new RangeError(`custom_id "${id.slice(0, 40)}…" is ${length} code points; Discord allows 1–${DISCORD_LIMITS.customId}`);
    }
    if (ids.has(id)) throw new Error(`custom_id "${id}" is used twice in one message`);
    ids.add(id);
  };
  const out: MessageActionRow[] = [];
  for (const source of rows) {
    if (out.length >= DISCORD_LIMITS.actionRows) break;
    const row = structuredClone(source);
    const hasSelect = row.components.some((c) => c.type !== ComponentType.Button);
    if (hasSelect && row.components.length > 1) throw new Error('a select menu must be alone in its action row');
    const components: APIComponentInMessageActionRow[] = [];
    for (const component of row.components.slice(0, DISCORD_LIMITS.buttonsPerRow)) {
      const fitted = finalizeComponent(component, claim);
      if (fitted) components.push(fitted);
    }
    if (components.length > 0) out.push({ ...row, components });
  }
  return out;
}

function finalizeComponent(
  component: APIComponentInMessageActionRow,
  claim: (id: string) => void,
): APIComponentInMessageActionRow | undefined {
  if (component.type === ComponentType.Button) {
    if (component.style === ButtonStyle.Link) {
      const url = plainLinkSafe(component.url);
      if (!url) return undefined;
      component.url = url;
    } else if (component.style !== ButtonStyle.Premium) {
      claim(component.custom_id);
    }
    if ('label' in component && component.label !== undefined) {
      const label = truncate(component.label, DISCORD_LIMITS.buttonLabel);
      if (label) component.label = label;
      else delete component.label;
    }
    return component;
  }
  claim(component.custom_id);
  if (component.placeholder !== undefined) component.placeholder = truncate(component.placeholder, SELECT_PLACEHOLDER);
  if (component.type !== ComponentType.StringSelect) return component;
  const values = new Set<string>();
  component.options = component.options
    .filter((option) => {
      const length = codePoints(option.value);
      if (length === 0 || length > DISCORD_LIMITS.selectLabel) {
        throw new RangeError(`select value "${option.value.slice(0, 40)}…" is ${length} code points; Discord allows 1–100`);
      }
      if (values.has(option.value)) return false;
      values.add(option.value);
      return true;
    })
    .slice(0, DISCORD_LIMITS.selectOptions)
    .map((option) => {
      const fitted = { ...option, label: truncate(option.label, DISCORD_LIMITS.selectLabel) || truncate(option.value, DISCORD_LIMITS.selectLabel) };
      if (fitted.description !== undefined) {
        const description = truncate(fitted.description, DISCORD_LIMITS.selectDescription);
        if (description) fitted.description = description;
        else delete fitted.description;
      }
      return fitted;
    });
  if (component.options.length === 0) return undefined;
  const count = component.options.length;
  if (component.min_values !== undefined) component.min_values = Math.min(component.min_values, count);
  if (component.max_values !== undefined) component.max_values = Math.min(component.max_values, count);
  return component;
}
