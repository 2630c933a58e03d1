/**
 * The sandbox's Discord server. Ids are fixed: topics saved in the sandbox's store name their
 * channel by id, and the fake Discord forgets everything when it stops, so a restart must
 * recreate the same channels under the same ids for the saved topics to keep posting.
 */
import { Permission } from './fake-discord/permissions.js';
import type { GuildSeed } from './fake-discord/state.js';
import type { ClientPerson } from './fake-discord/client-api.js';

export const SANDBOX_IDS = {
  bot: '1300000000000000001',
  guild: '1300000000000000010',
  admins: '1300000000000000011',
  readers: '1300000000000000012',
  general: '1300000000000000020',
  papers: '1300000000000000021',
  topicChannel: '1300000000000000022',
  announcements: '1300000000000000023',
  admin: '1300000000000000030',
  member: '1300000000000000031',
} as const;

export const SANDBOX_GUILD: GuildSeed = {
  id: SANDBOX_IDS.guild,
  name: 'Paperboy Sandbox',
  roles: [
    // Manage Channels is what /topic asks for; Manage Roles lets the admin pick ping roles.
    { id: SANDBOX_IDS.admins, name: 'Admins', position: 2, permissions: Permission.ManageChannels | Permission.ManageRoles | Permission.ManageMessages },
    { id: SANDBOX_IDS.readers, name: 'Readers', position: 1, mentionable: true, permissions: 0n },
  ],
  channels: [
    { id: SANDBOX_IDS.general, name: 'general', type: 'text', topic: 'Ask Paperboy for papers: type / to start' },
    { id: SANDBOX_IDS.papers, name: 'Papers', type: 'category' },
    { id: SANDBOX_IDS.topicChannel, name: 'papers-ml', type: 'text', parent: 'Papers', topic: 'A topic channel: /topic add posts new matching papers here' },
    { id: SANDBOX_IDS.announcements, name: 'paper-news', type: 'announcement', parent: 'Papers', topic: 'An announcement channel: topic posts here are published to following servers' },
  ],
  members: [
    { user: { id: SANDBOX_IDS.admin, username: 'ada', globalName: 'Ada' }, roles: ['Admins'] },
    { user: { id: SANDBOX_IDS.member, username: 'max', globalName: 'Max' } },
  ],
};

/** The two people the page can be: one who may manage topics, one who may not. */
export const SANDBOX_PEOPLE: readonly ClientPerson[] = [
  { id: SANDBOX_IDS.admin, label: 'Ada (server admin)' },
  { id: SANDBOX_IDS.member, label: 'Max (member)' },
];
