/**
 * The sandbox page: a small Discord server in the browser. It reads the world from the sandbox
 * client API (GET /sandbox/api/state), hears every change over the WebSocket, and acts as the
 * chosen person by asking the fake Discord to send the bot an interaction or a reaction — the
 * same INTERACTION_CREATE and MESSAGE_REACTION_ADD the bot gets from Discord.
 */
import { filledOptions, parseLine, toCommandRequest, type Lookup, type ParsedLine } from './command-line.js';
import { renderMessage, type MessageActions } from './render-message.js';
import { ChannelType, OptionType, type ClientEvent, type CommandBody, type FeedStatus, type MessageView, type SandboxState } from './types.js';

type Suggestion = { label: string; detail: string; apply: string; section: string };
type Choice = { name: string; value: string | number };

/** Bounds on what the page keeps and sends. */
const MAX_MESSAGES = 2_000;
const MAX_INPUT = 4_000;
const AUTOCOMPLETE_DEBOUNCE_MS = 150;
const ADMINISTRATOR = 1n << 3n;

const $ = <T extends HTMLElement>(selector: string) => {
  const node = document.querySelector<T>(selector);
  if (!node) throw new Error(`sandbox page: ${selector} missing`);
  return node;
};

const view = {
  serverName: $('#server-name'),
  channels: $('#channels'),
  person: $<HTMLSelectElement>('#person'),
  personAvatar: $('#person-avatar'),
  channelName: $('#channel-name'),
  channelTopic: $('#channel-topic'),
  feed: $('#feed-status'),
  feedButton: $<HTMLButtonElement>('#feed-publish'),
  violations: $('#violations'),
  messages: $('#messages'),
  input: $<HTMLInputElement>('#command-input'),
  popup: $('#suggestions'),
  error: $('#command-error'),
  connection: $('#connection'),
};

let world: SandboxState | undefined;
const messages = new Map<string, MessageView>();
const dismissed = new Set<string>();
const failures: { interactionId: string; userId: string; channelId: string; name: string | null; at: number }[] = [];
const unread = new Map<string, number>();
let channelId = '';
let viewerId = localStorage.getItem('paperboy-sandbox-person') ?? '';
let feed: FeedStatus | undefined;
let suggestions: Suggestion[] = [];
let highlighted = -1;
let autocomplete: { key: string; choices: Choice[]; pending: boolean } | undefined;
let autocompleteTimer: number | undefined;

// ----- talking to the sandbox -----

async function post(path: string, body: unknown): Promise<any> {
  const response = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(answer.error ?? `HTTP ${response.status}`);
  return answer;
}

const actions: MessageActions = {
  button: (message, component) => void post('/sandbox/api/interactions', { kind: 'button', user: viewerId, messageId: message.id, customId: component.custom_id }).catch(showError),
  select: (message, component, values) =>
    void post('/sandbox/api/interactions', { kind: 'select', user: viewerId, messageId: message.id, customId: component.custom_id, values, componentType: component.type }).catch(showError),
  react: (message, emoji, add) => void post('/sandbox/api/reactions', { user: viewerId, messageId: message.id, emoji, action: add ? 'add' : 'remove' }).catch(showError),
  dismiss: (message) => {
    dismissed.add(message.id);
    renderChannel();
  },
};

function showError(error: unknown): void {
  view.error.textContent = error instanceof Error ? error.message : String(error);
  view.error.hidden = false;
}

// ----- the world -----

function lookup(): Lookup {
  return {
    channels: (world?.channels ?? []).filter((c) => c.type !== ChannelType.category).map((c) => ({ id: c.id, name: c.name })),
    roles: (world?.roles ?? []).filter((r) => !r.managed && r.name !== '@everyone'),
    people: (world?.people ?? []).map((p) => ({ id: p.id, name: p.name })),
  };
}

function visible(message: MessageView): boolean {
  if (message.deleted || dismissed.has(message.id)) return false;
  return !message.ephemeral || message.visibleTo === viewerId;
}

/** Discord's client hides a command from people without its default_member_permissions. */
function hiddenFromViewer(command: CommandBody): boolean {
  const required = command.default_member_permissions;
  if (!required) return false;
  const person = world?.people.find((p) => p.id === viewerId);
  const granted = BigInt(person?.permissions[channelId] ?? '0');
  return (granted & ADMINISTRATOR) === 0n && (granted & BigInt(required)) !== BigInt(required);
}

function remember(message: MessageView): void {
  const known = messages.has(message.id);
  messages.set(message.id, message);
  if (!known && messages.size > MAX_MESSAGES) {
    const oldest = messages.keys().next().value;
    if (oldest !== undefined) messages.delete(oldest);
  }
  if (!known && message.channelId !== channelId && visible(message)) unread.set(message.channelId, (unread.get(message.channelId) ?? 0) + 1);
}

// ----- rendering -----

function renderChannels(): void {
  if (!world) return;
  view.channels.replaceChildren();
  for (const channel of world.channels) {
    if (channel.type === ChannelType.category) {
      view.channels.append(Object.assign(document.createElement('div'), { className: 'category', textContent: channel.name.toUpperCase() }));
      continue;
    }
    const item = document.createElement('button');
    item.className = `channel${channel.id === channelId ? ' active' : ''}${channel.parentId ? ' nested' : ''}`;
    item.dataset.channel = channel.name;
    const icon = channel.type === ChannelType.announcement ? '📢' : '#';
    const count = unread.get(channel.id) ?? 0;
    item.innerHTML = `<span class="channel-icon"></span><span class="channel-label"></span>${count > 0 ? `<span class="unread">${Math.min(count, 99)}</span>` : ''}`;
    item.querySelector('.channel-icon')!.textContent = icon;
    item.querySelector('.channel-label')!.textContent = channel.name;
    item.addEventListener('click', () => selectChannel(channel.id));
    view.channels.append(item);
  }
}

function renderFailures(): HTMLElement[] {
  return failures
    .filter((f) => f.channelId === channelId && f.userId === viewerId)
    .map((f) => {
      const node = document.createElement('div');
      node.className = 'message ephemeral failed';
      node.dataset.at = String(f.at);
      node.innerHTML = '<div class="message-body"><div class="avatar bot">📰</div><div class="message-main"><div class="content"></div><div class="ephemeral-note">👁 Only you can see this</div></div></div>';
      node.querySelector('.content')!.textContent = `⚠ The application did not respond${f.name ? ` (/${f.name})` : ''}`;
      return node;
    });
}

function renderChannel(): void {
  if (!world) return;
  const channel = world.channels.find((c) => c.id === channelId);
  view.channelName.textContent = channel ? `${channel.type === ChannelType.announcement ? '📢' : '#'} ${channel.name}` : '';
  view.channelTopic.textContent = channel?.topic ?? '';
  view.input.placeholder = channel ? `Message #${channel.name} — type / for Paperboy's commands` : '';
  const shown = [...messages.values()].filter((m) => m.channelId === channelId && visible(m)).sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
  const nodes: { at: number; node: HTMLElement }[] = shown.map((m) => ({ at: m.createdAt, node: renderMessage(m, viewerId, actions) }));
  for (const node of renderFailures()) nodes.push({ at: Number(node.dataset.at), node });
  nodes.sort((a, b) => a.at - b.at);
  view.messages.replaceChildren(...(channel ? [channelStart(channel)] : []), ...nodes.map((n) => n.node));
  view.messages.scrollTop = view.messages.scrollHeight;
}

/**
 * Lines to try in each channel, one click from the command box. A finished value ends in a space,
 * so Enter sends instead of picking the first suggestion; `id: reward` waits for a pick.
 */
const EXAMPLES: Record<string, readonly string[]> = {
  general: ['/paper search query: preference ', '/paper show id: reward', '/bookmarks list', '/follow'],
  'papers-ml': ['/topic add name: prefs query: preference channel: #papers-ml ', '/topic refresh', '/topic list'],
  'paper-news': ['/topic add name: reasoning query: reasoning channel: #paper-news ', '/topic refresh'],
};

/** The top of a channel's history, as Discord draws it ("Welcome to #general!"), with lines to try. */
function channelStart(channel: { name: string; type: number; topic: string | null }): HTMLElement {
  const start = document.createElement('div');
  start.className = 'channel-start';
  const icon = Object.assign(document.createElement('div'), { className: 'channel-start-icon', textContent: channel.type === ChannelType.announcement ? '📢' : '#' });
  const title = Object.assign(document.createElement('div'), { className: 'channel-start-title', textContent: `Welcome to #${channel.name}!` });
  const topic = Object.assign(document.createElement('div'), { className: 'channel-start-topic', textContent: channel.topic ?? '' });
  start.append(icon, title, topic);
  const examples = EXAMPLES[channel.name] ?? [];
  if (examples.length > 0) {
    const row = Object.assign(document.createElement('div'), { className: 'examples' });
    row.append(Object.assign(document.createElement('span'), { textContent: 'Try ' }));
    for (const example of examples) {
      const chip = Object.assign(document.createElement('button'), { className: 'example', type: 'button', textContent: example.trim() });
      chip.addEventListener('click', () => {
        view.input.value = example;
        view.input.focus();
        updateSuggestions();
      });
      row.append(chip);
    }
    start.append(row);
  }
  return start;
}

/** A new or changed message: replace it in place, or add it at the bottom. */
function showMessage(message: MessageView): void {
  if (message.channelId !== channelId) return renderChannels();
  const existing = view.messages.querySelector<HTMLElement>(`.message[data-id="${message.id}"]`);
  if (!visible(message)) {
    existing?.remove();
    return;
  }
  const nearBottom = view.messages.scrollHeight - view.messages.scrollTop - view.messages.clientHeight < 120;
  const node = renderMessage(message, viewerId, actions);
  if (existing) existing.replaceWith(node);
  else view.messages.append(node);
  if (nearBottom || !existing) view.messages.scrollTop = view.messages.scrollHeight;
}

function renderViolations(): void {
  const list = world?.violations ?? [];
  view.violations.hidden = list.length === 0;
  view.violations.replaceChildren();
  if (list.length === 0) return;
  const title = document.createElement('div');
  title.className = 'violations-title';
  title.textContent = `⚠ ${list.length} payload${list.length === 1 ? '' : 's'} Discord would refuse`;
  view.violations.append(title);
  for (const violation of list.slice(-5)) {
    const line = document.createElement('div');
    line.className = 'violation';
    line.textContent = `${violation.kind}: ${violation.summary}`;
    view.violations.append(line);
  }
}

function renderFeed(): void {
  if (!feed) return;
  const next = feed.nextAt === null ? '' : ` · next in ${formatCountdown(feed.nextAt - Date.now())}`;
  view.feed.textContent = `Local Hugging Face feed: ${feed.listed} papers listed, ${feed.toCome} to come${next}`;
  view.feedButton.disabled = feed.toCome === 0;
}

function formatCountdown(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

function renderPeople(): void {
  if (!world) return;
  view.person.replaceChildren(
    ...world.people.map((p) => {
      const option = document.createElement('option');
      option.value = p.id;
      option.textContent = p.label;
      option.selected = p.id === viewerId;
      return option;
    }),
  );
  const person = world.people.find((p) => p.id === viewerId);
  view.personAvatar.textContent = (person?.name ?? '?').slice(0, 1);
}

function selectChannel(id: string): void {
  channelId = id;
  unread.delete(id);
  renderChannels();
  renderChannel();
  updateSuggestions();
  view.input.focus();
}

// ----- the slash-command box -----

function suggestionsFor(text: string, line: ParsedLine): Suggestion[] {
  const commands = world?.commands ?? [];
  if (line.stage === 'none') return [];
  if (line.stage === 'command') {
    return commands
      .filter((c) => c.name.startsWith(line.partial.toLowerCase()))
      .map((c) => ({ label: `/${c.name}`, detail: `${c.description}${hiddenFromViewer(c) ? ' · Discord hides this from you; Paperboy checks anyway' : ''}`, apply: `/${c.name} `, section: 'Paperboy' }));
  }
  if (line.stage === 'subcommand') {
    return line.choices
      .filter((o) => o.name.startsWith(line.partial.toLowerCase()))
      .map((o) => ({ label: `${line.prefix.trim()} ${o.name}`, detail: o.description, apply: `${line.prefix}${o.name} `, section: 'Paperboy' }));
  }
  const out: Suggestion[] = [];
  const current = line.values.at(-1);
  if (current) {
    const before = text.slice(0, current.start);
    const typed = current.raw.trim().toLowerCase();
    const option = current.option;
    const values: Choice[] = [];
    if (option.choices) values.push(...option.choices.filter((c) => c.name.toLowerCase().includes(typed)));
    else if (option.type === OptionType.Boolean) values.push(...['true', 'false'].filter((v) => v.startsWith(typed)).map((v) => ({ name: v, value: v })));
    else if (option.type === OptionType.Channel) values.push(...lookup().channels.filter((c) => c.name.includes(typed.replace(/^#/, ''))).map((c) => ({ name: `#${c.name}`, value: `#${c.name}` })));
    else if (option.type === OptionType.Role) values.push(...lookup().roles.filter((r) => r.name.toLowerCase().includes(typed.replace(/^@/, ''))).map((r) => ({ name: `@${r.name}`, value: `@${r.name}` })));
    else if (option.autocomplete && autocomplete?.key === autocompleteKey(option.name, current.raw)) values.push(...autocomplete.choices);
    const section = option.autocomplete && !option.choices ? 'Paperboy suggests' : option.name;
    for (const choice of values.slice(0, 25)) out.push({ label: choice.name, detail: String(choice.value) === choice.name ? '' : String(choice.value), apply: `${before}${choice.value} `, section });
  }
  const used = new Set(line.values.map((v) => v.option.name));
  const remaining = line.level.filter((o) => !used.has(o.name));
  const tail = current ? current.raw : line.loose;
  const partial = /(\S+)$/.exec(tail)?.[1]?.toLowerCase() ?? '';
  const matching = partial ? remaining.filter((o) => o.name.startsWith(partial)) : [];
  const offer = matching.length > 0 ? matching : !current || /\s$/.test(current.raw) ? remaining : [];
  for (const option of offer) {
    const base = matching.length > 0 ? text.slice(0, text.length - partial.length) : /\s$/.test(text) ? text : `${text} `;
    out.push({ label: `${option.name}:`, detail: `${option.description}${option.required ? ' (required)' : ''}`, apply: `${base}${option.name}: `, section: 'Options' });
  }
  return out;
}

const autocompleteKey = (name: string, raw: string) => `${name}\u0000${raw}`;

function requestAutocomplete(line: ParsedLine): void {
  window.clearTimeout(autocompleteTimer);
  if (line.stage !== 'options') return;
  const current = line.values.at(-1);
  if (!current?.option.autocomplete) return;
  const key = autocompleteKey(current.option.name, current.raw);
  if (autocomplete?.key === key) return;
  const sentFor = viewerId;
  autocompleteTimer = window.setTimeout(() => {
    autocomplete = { key, choices: autocomplete?.choices ?? [], pending: true };
    post('/sandbox/api/interactions', {
      kind: 'autocomplete',
      user: sentFor,
      channelId,
      name: line.command.name,
      ...(line.group ? { subcommandGroup: line.group.name } : {}),
      ...(line.sub ? { subcommand: line.sub.name } : {}),
      options: filledOptions(line, current.option.name, lookup()),
      focused: { name: current.option.name, value: current.raw.trim() },
    })
      .then((answer: { choices?: Choice[] }) => {
        if (autocomplete?.key !== key) return;
        autocomplete = { key, choices: Array.isArray(answer.choices) ? answer.choices : [], pending: false };
        updateSuggestions();
      })
      .catch(showError);
  }, AUTOCOMPLETE_DEBOUNCE_MS);
}

function updateSuggestions(): void {
  const text = view.input.value;
  const line = parseLine(text, world?.commands ?? []);
  suggestions = suggestionsFor(text, line);
  requestAutocomplete(line);
  const current = line.stage === 'options' ? line.values.at(-1) : undefined;
  // Like Discord: the first suggestion is picked by Enter, except after a finished value (then Enter sends).
  highlighted = suggestions.length === 0 || (line.stage === 'options' && (current ? /\s$/.test(current.raw) : line.loose.trim() === '' && line.values.length > 0)) ? -1 : 0;
  renderSuggestions();
}

function renderSuggestions(): void {
  view.popup.replaceChildren();
  view.popup.hidden = suggestions.length === 0;
  let section = '';
  suggestions.forEach((suggestion, i) => {
    if (suggestion.section !== section) {
      section = suggestion.section;
      view.popup.append(Object.assign(document.createElement('div'), { className: 'suggestion-section', textContent: section }));
    }
    const item = document.createElement('div');
    item.className = `suggestion${i === highlighted ? ' highlighted' : ''}`;
    item.dataset.section = suggestion.section;
    const label = Object.assign(document.createElement('span'), { className: 'suggestion-label', textContent: suggestion.label });
    const detail = Object.assign(document.createElement('span'), { className: 'suggestion-detail', textContent: suggestion.detail });
    item.append(label, detail);
    item.addEventListener('mousedown', (event) => {
      event.preventDefault();
      apply(suggestion);
    });
    view.popup.append(item);
  });
}

function apply(suggestion: Suggestion): void {
  view.input.value = suggestion.apply.slice(0, MAX_INPUT);
  updateSuggestions();
  view.input.focus();
}

async function send(): Promise<void> {
  const line = parseLine(view.input.value, world?.commands ?? []);
  const built = toCommandRequest(line, lookup());
  if ('error' in built) return showError(built.error);
  view.input.value = '';
  suggestions = [];
  renderSuggestions();
  await post('/sandbox/api/interactions', { kind: 'command', user: viewerId, channelId, ...built.request }).catch(showError);
}

view.input.maxLength = MAX_INPUT;
view.input.addEventListener('input', () => {
  view.error.hidden = true;
  updateSuggestions();
});
view.input.addEventListener('focus', () => updateSuggestions());
view.input.addEventListener('keydown', (event) => {
  if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
    if (suggestions.length === 0) return;
    event.preventDefault();
    highlighted = (highlighted + (event.key === 'ArrowDown' ? 1 : -1) + suggestions.length) % suggestions.length;
    renderSuggestions();
  } else if (event.key === 'Escape') {
    suggestions = [];
    highlighted = -1;
    renderSuggestions();
  } else if ((event.key === 'Enter' || event.key === 'Tab') && highlighted >= 0 && suggestions[highlighted]) {
    event.preventDefault();
    apply(suggestions[highlighted]!);
  } else if (event.key === 'Enter') {
    event.preventDefault();
    void send();
  }
});

view.person.addEventListener('change', () => {
  viewerId = view.person.value;
  localStorage.setItem('paperboy-sandbox-person', viewerId);
  renderPeople();
  renderChannel();
  updateSuggestions();
  // The server sends a connection only its person's ephemeral answers: view the server as the new one.
  connect();
});

view.feedButton.addEventListener('click', () => {
  void post('/sandbox/feed/publish', {})
    .then((status: FeedStatus) => {
      feed = status;
      renderFeed();
    })
    .catch(showError);
});

// ----- start -----

function handle(event: ClientEvent): void {
  if (!world) return;
  if (event.type === 'message') {
    remember(event.message);
    showMessage(event.message);
  } else if (event.type === 'violation') {
    world.violations.push(event.violation);
    renderViolations();
  } else if (event.type === 'interaction-failed') {
    failures.push({ ...event, at: Date.now() });
    if (event.channelId === channelId) renderChannel();
  } else if (event.type === 'status' && event.status.feed) {
    feed = event.status.feed;
    renderFeed();
  }
}

const viewing = () => (viewerId ? `?as=${encodeURIComponent(viewerId)}` : '');

/** The current connection, viewing the server as `viewerId`; replaced when the person switch changes. */
let socket: WebSocket | undefined;

function connect(): void {
  const previous = socket;
  const current = new WebSocket(`${location.origin.replace(/^http/, 'ws')}/sandbox/ws${viewing()}`);
  socket = current;
  previous?.close();
  current.addEventListener('open', () => {
    view.connection.hidden = true;
    // Anything that happened while disconnected (or not visible to the previous person) is in the state.
    void load();
  });
  current.addEventListener('message', (event) => {
    if (current === socket) handle(JSON.parse(String(event.data)) as ClientEvent);
  });
  current.addEventListener('close', () => {
    if (current !== socket) return;
    view.connection.hidden = false;
    window.setTimeout(connect, 1_000);
  });
}

async function load(): Promise<void> {
  const state = (await (await fetch(`/sandbox/api/state${viewing()}`)).json()) as SandboxState;
  world = state;
  messages.clear();
  for (const message of state.messages) messages.set(message.id, message);
  if (!state.channels.some((c) => c.id === channelId)) channelId = state.channels.find((c) => c.type !== ChannelType.category)?.id ?? '';
  view.serverName.textContent = state.guild.name;
  document.body.dataset.ready = 'true';
  renderPeople();
  renderChannels();
  renderChannel();
  renderViolations();
  feed = (await (await fetch('/sandbox/feed')).json()) as FeedStatus;
  renderFeed();
}

/** Picks the person to view as (the last one chosen, else the first) before the first connection. */
async function start(): Promise<void> {
  const response = await fetch('/sandbox/api/state').catch(() => undefined);
  const people = response?.ok ? ((await response.json()) as SandboxState).people : [];
  if (!people.some((p) => p.id === viewerId)) viewerId = people[0]?.id ?? '';
  connect();
}

window.setInterval(renderFeed, 1_000);
void start();
