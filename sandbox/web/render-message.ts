/**
 * One message as Discord's client draws it: avatar and name, "used /command" above interaction
 * replies, markdown content, embeds (colour bar, author, linked title, description, fields in
 * rows of three, thumbnail, image, footer · timestamp), buttons and select menus, attachments,
 * reactions, and the "Only you can see this" line under ephemeral replies.
 */
import { escapeHtml, renderMarkdown } from './markdown.js';
import type { Component, Embed, Emoji, MessageView } from './types.js';

export type MessageActions = {
  button(message: MessageView, component: Component): void;
  select(message: MessageView, component: Component, values: string[]): void;
  react(message: MessageView, emoji: string, add: boolean): void;
  dismiss(message: MessageView): void;
};

const BOOKMARK = '🔖';
const BUTTON_STYLES: Record<number, string> = { 1: 'primary', 2: 'secondary', 3: 'success', 4: 'danger', 5: 'link' };

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function safeUrl(url: string | undefined): string | undefined {
  return url && /^https?:\/\//i.test(url) ? url : undefined;
}

function emojiText(emoji: Emoji | undefined): string {
  return emoji?.name && !emoji.id ? `${emoji.name} ` : emoji?.name ? `:${emoji.name}: ` : '';
}

export function formatTime(ms: number): string {
  const date = new Date(ms);
  const today = new Date().toDateString() === date.toDateString();
  const time = date.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  return today ? `Today at ${time}` : `${date.toLocaleDateString()} ${time}`;
}

function avatar(name: string, bot: boolean): HTMLElement {
  const node = el('div', `avatar${bot ? ' bot' : ''}`, bot ? '📰' : name.slice(0, 1).toUpperCase());
  if (!bot) node.style.background = `hsl(${[...name].reduce((h, c) => h + c.charCodeAt(0) * 37, 0) % 360} 55% 45%)`;
  return node;
}

/** An embed's thumbnail or image, if its URL is http(s). */
function appendImage(parent: HTMLElement, className: string, url: string | undefined): void {
  const src = safeUrl(url);
  if (!src) return;
  const img = el('img', className);
  img.src = src;
  img.alt = '';
  parent.append(img);
}

function renderEmbed(embed: Embed): HTMLElement {
  const box = el('div', 'embed');
  box.style.borderLeftColor = typeof embed.color === 'number' ? `#${embed.color.toString(16).padStart(6, '0')}` : '#1e1f22';
  const grid = el('div', 'embed-grid');
  const main = el('div', 'embed-main');
  if (embed.author?.name) {
    const author = el('div', 'embed-author');
    const url = safeUrl(embed.author.url);
    if (url) {
      const link = el('a', undefined, embed.author.name);
      link.href = url;
      link.target = '_blank';
      author.append(link);
    } else author.textContent = embed.author.name;
    main.append(author);
  }
  if (embed.title) {
    const title = el('div', 'embed-title');
    const url = safeUrl(embed.url);
    // Titles render markdown in Discord too (Paperboy escapes paper titles for it).
    const html = renderMarkdown(embed.title);
    if (url) {
      const link = el('a');
      link.href = url;
      link.target = '_blank';
      link.rel = 'noopener noreferrer';
      link.innerHTML = html;
      title.append(link);
    } else title.innerHTML = html;
    main.append(title);
  }
  if (embed.description) {
    const description = el('div', 'embed-description markdown');
    description.innerHTML = renderMarkdown(embed.description);
    main.append(description);
  }
  if (embed.fields?.length) {
    const fields = el('div', 'embed-fields');
    let inlineRun = 0;
    for (const field of embed.fields) {
      const node = el('div', 'embed-field');
      // Up to three inline fields share a row; a non-inline field takes the whole row.
      if (field.inline) {
        const column = inlineRun % 3;
        node.style.gridColumn = `${column * 4 + 1} / ${column * 4 + 5}`;
        inlineRun++;
      } else {
        node.style.gridColumn = '1 / 13';
        inlineRun = 0;
      }
      const name = el('div', 'embed-field-name');
      name.innerHTML = renderMarkdown(field.name);
      const value = el('div', 'embed-field-value markdown');
      value.innerHTML = renderMarkdown(field.value);
      node.append(name, value);
      fields.append(node);
    }
    main.append(fields);
  }
  grid.append(main);
  appendImage(grid, 'embed-thumbnail', embed.thumbnail?.url);
  box.append(grid);
  appendImage(box, 'embed-image', embed.image?.url);
  if (embed.footer?.text || embed.timestamp) {
    const parts = [embed.footer?.text, embed.timestamp ? formatTime(Date.parse(embed.timestamp)) : undefined].filter(Boolean);
    box.append(el('div', 'embed-footer', parts.join(' • ')));
  }
  return box;
}

function renderComponents(message: MessageView, rows: Component[], actions: MessageActions): HTMLElement {
  const box = el('div', 'components');
  for (const row of rows) {
    if (row.type !== 1) continue;
    const line = el('div', 'action-row');
    for (const component of row.components ?? []) {
      if (component.type === 2) {
        const style = BUTTON_STYLES[component.style ?? 2] ?? 'secondary';
        const button = el('button', `button ${style}`, `${emojiText(component.emoji)}${component.label ?? ''}${style === 'link' ? ' ↗' : ''}`);
        button.disabled = component.disabled === true;
        const url = safeUrl(component.url);
        if (style === 'link' && url) button.addEventListener('click', () => window.open(url, '_blank', 'noopener'));
        else button.addEventListener('click', () => actions.button(message, component));
        line.append(button);
      } else if (component.type >= 3 && component.type <= 8) {
        const select = el('select', 'select-menu');
        select.disabled = component.disabled === true;
        select.dataset.customId = component.custom_id ?? '';
        const placeholder = el('option', undefined, component.placeholder ?? 'Make a selection');
        placeholder.value = '';
        placeholder.selected = true;
        placeholder.disabled = true;
        select.append(placeholder);
        for (const option of component.options ?? []) {
          const node = el('option', undefined, `${emojiText(option.emoji)}${option.label}${option.description ? ` — ${option.description}` : ''}`);
          node.value = option.value;
          select.append(node);
        }
        select.addEventListener('change', () => {
          if (select.value) actions.select(message, component, [select.value]);
        });
        line.append(select);
      }
    }
    box.append(line);
  }
  return box;
}

export function renderMessage(message: MessageView, viewerId: string, actions: MessageActions): HTMLElement {
  const node = el('div', `message${message.ephemeral ? ' ephemeral' : ''}`);
  node.dataset.id = message.id;
  // Replies to slash commands say who used which command; replies to clicks do not.
  if (message.interaction?.name) {
    const used = el('div', 'interaction-line');
    used.innerHTML = `<span class="reply-spine"></span><span class="used-by">${escapeHtml(message.interaction.userName)}</span> used <span class="command-name">/${escapeHtml(message.interaction.name)}</span>`;
    node.append(used);
  }
  const body = el('div', 'message-body');
  body.append(avatar(message.author.name, message.author.bot));
  const main = el('div', 'message-main');
  const header = el('div', 'message-header');
  header.append(el('span', 'author', message.author.name));
  if (message.author.bot) header.append(el('span', 'bot-tag', 'APP'));
  header.append(el('span', 'time', formatTime(message.createdAt)));
  main.append(header);
  if (message.loading) main.append(el('div', 'thinking', `${message.author.name} is thinking…`));
  if (message.content) {
    const content = el('div', 'content markdown');
    content.innerHTML = renderMarkdown(message.content);
    if (message.editedAt !== null && !message.loading) content.append(el('span', 'edited', ' (edited)'));
    main.append(content);
  }
  for (const embed of message.embeds) main.append(renderEmbed(embed));
  for (const attachment of message.attachments) {
    const link = el('a', 'attachment', `📎 ${attachment.filename}`);
    link.href = attachment.url;
    link.target = '_blank';
    main.append(link);
  }
  if (message.components.length > 0) main.append(renderComponents(message, message.components, actions));
  if (!message.ephemeral && !message.loading) {
    const reactions = el('div', 'reactions');
    for (const reaction of message.reactions) {
      const mine = reaction.users.includes(viewerId);
      const pill = el('button', `reaction${mine ? ' mine' : ''}`, `${reaction.emoji} ${reaction.users.length}`);
      pill.dataset.emoji = reaction.emoji;
      pill.title = mine ? 'Click to remove your reaction' : 'Click to react';
      pill.addEventListener('click', () => actions.react(message, reaction.emoji, !mine));
      reactions.append(pill);
    }
    if (!message.reactions.some((r) => r.emoji === BOOKMARK)) {
      const add = el('button', 'reaction add-reaction', `+${BOOKMARK}`);
      add.title = 'React with 🔖';
      add.addEventListener('click', () => actions.react(message, BOOKMARK, true));
      reactions.append(add);
    }
    main.append(reactions);
  }
  if (message.ephemeral) {
    const only = el('div', 'ephemeral-note');
    only.append(el('span', undefined, '👁 Only you can see this • '));
    const dismiss = el('button', 'link-button', 'Dismiss message');
    dismiss.addEventListener('click', () => actions.dismiss(message));
    only.append(dismiss);
    main.append(only);
  }
  body.append(main);
  node.append(body);
  return node;
}
