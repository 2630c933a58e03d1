import { describe, expect, it } from 'vitest';
import { ALL_PERMISSIONS, channelPermissions, guildPermissions, Permission, type PermissionSubject } from '../../sandbox/fake-discord/permissions.js';

const subject = (overrides: Partial<PermissionSubject> = {}): PermissionSubject => ({
  guildId: 'g',
  ownerId: 'owner',
  userId: 'u',
  roleIds: ['r1'],
  rolePermissions: new Map([
    ['g', Permission.ViewChannel | Permission.SendMessages],
    ['r1', Permission.AddReactions],
  ]),
  ...overrides,
});

describe('permissions', () => {
  it('given @everyone and a role then guild permissions are their union; the owner and Administrator get everything', () => {
    expect(guildPermissions(subject())).toBe(Permission.ViewChannel | Permission.SendMessages | Permission.AddReactions);
    expect(guildPermissions(subject({ userId: 'owner' }))).toBe(ALL_PERMISSIONS);
    expect(guildPermissions(subject({ rolePermissions: new Map([['g', Permission.Administrator]]) }))).toBe(ALL_PERMISSIONS);
  });

  it('given overwrites then @everyone applies first, roles next, the member last', () => {
    const denyEveryone = { id: 'g', type: 0 as const, allow: 0n, deny: Permission.SendMessages };
    const allowRole = { id: 'r1', type: 0 as const, allow: Permission.SendMessages, deny: 0n };
    const denyMember = { id: 'u', type: 1 as const, allow: 0n, deny: Permission.SendMessages };
    const has = (overwrites: Parameters<typeof channelPermissions>[1]) => (channelPermissions(subject(), overwrites) & Permission.SendMessages) !== 0n;

    expect(has([denyEveryone])).toBe(false);
    expect(has([denyEveryone, allowRole])).toBe(true);
    expect(has([denyEveryone, allowRole, denyMember])).toBe(false);
  });

  it('given View Channel denied then nothing else is granted in the channel', () => {
    const hidden = { id: 'g', type: 0 as const, allow: 0n, deny: Permission.ViewChannel };
    expect(channelPermissions(subject(), [hidden])).toBe(0n);
  });
});
