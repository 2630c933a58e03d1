/**
 * What the sandbox client API (sandbox/fake-discord/client-api.ts) sends the page. Written out
 * here rather than imported: the page is built for the browser, the API module for Node.
 */

export type MessageView = {
  id: string;
  channelId: string;
  author: { id: string; name: string; bot: boolean };
  content: string;
  embeds: Embed[];
  components: Component[];
  attachments: { id: string; filename: string; url: string; contentType: string }[];
  createdAt: number;
  editedAt: number | null;
  ephemeral: boolean;
  visibleTo: string | null;
  interaction: { name: string | null; userId: string; userName: string } | null;
  loading: boolean;
  deleted: boolean;
  reactions: { emoji: string; users: string[] }[];
};

export type Embed = {
  title?: string;
  url?: string;
  description?: string;
  color?: number;
  timestamp?: string;
  author?: { name: string; url?: string; icon_url?: string };
  footer?: { text: string; icon_url?: string };
  thumbnail?: { url: string };
  image?: { url: string };
  fields?: { name: string; value: string; inline?: boolean }[];
};

export type Emoji = { id?: string | null; name?: string | null };

export type Component = {
  type: number;
  components?: Component[];
  custom_id?: string;
  style?: number;
  label?: string;
  emoji?: Emoji;
  url?: string;
  disabled?: boolean;
  placeholder?: string;
  min_values?: number;
  max_values?: number;
  options?: { label: string; value: string; description?: string; emoji?: Emoji; default?: boolean }[];
};

export type CommandOption = {
  type: number;
  name: string;
  description: string;
  required?: boolean;
  autocomplete?: boolean;
  choices?: { name: string; value: string | number }[];
  options?: CommandOption[];
  min_value?: number;
  max_value?: number;
};

export type CommandBody = {
  name: string;
  description: string;
  options?: CommandOption[];
  default_member_permissions?: string | null;
};

export type ChannelView = { id: string; name: string; type: number; parentId: string | null; topic: string | null };

export type Person = { id: string; label: string; name: string; permissions: Record<string, string> };

export type ViolationView = { kind: string; summary: string; at: number };

export type SandboxState = {
  guild: { id: string; name: string };
  botUserId: string;
  channels: ChannelView[];
  roles: { id: string; name: string; managed: boolean }[];
  people: Person[];
  commands: CommandBody[];
  messages: MessageView[];
  violations: ViolationView[];
};

export type FeedStatus = { listed: number; toCome: number; nextAt: number | null };

export type ClientEvent =
  | { type: 'message'; message: MessageView }
  | { type: 'violation'; violation: ViolationView }
  | { type: 'interaction-failed'; interactionId: string; userId: string; channelId: string; name: string | null }
  | { type: 'status'; status: { feed?: FeedStatus } };

/** Discord's numbers. */
export const OptionType = { Subcommand: 1, SubcommandGroup: 2, String: 3, Integer: 4, Boolean: 5, User: 6, Channel: 7, Role: 8, Mentionable: 9, Number: 10, Attachment: 11 } as const;
export const ChannelType = { text: 0, category: 4, announcement: 5 } as const;
