/**
 * Discord's permission arithmetic (guild base permissions, then channel overwrites), so the
 * fake can refuse what Discord would refuse (403 / 50013, 50001) and fill `app_permissions`
 * and `member.permissions` in interactions with true values.
 *
 * Order, per Discord: owner → everything; @everyone | member roles; Administrator → everything;
 * then @everyone overwrite, then all role overwrites together (deny first, then allow),
 * then the member overwrite.
 */
import { PermissionFlagsBits } from 'discord.js';

export const Permission = PermissionFlagsBits;

export const ALL_PERMISSIONS: bigint = Object.values(PermissionFlagsBits).reduce((all, bit) => all | bit, 0n);

export interface PermissionOverwrite {
  /** Role id (type 0) or user id (type 1). */
  readonly id: string;
  readonly type: 0 | 1;
  readonly allow: bigint;
  readonly deny: bigint;
}

export interface PermissionSubject {
  readonly guildId: string;
  readonly ownerId: string;
  readonly userId: string;
  /** Ids of the member's roles, without @everyone. */
  readonly roleIds: readonly string[];
  /** Role id → permissions, including @everyone (whose id is the guild id). */
  readonly rolePermissions: ReadonlyMap<string, bigint>;
}

export function guildPermissions(subject: PermissionSubject): bigint {
  if (subject.userId === subject.ownerId) return ALL_PERMISSIONS;
  let permissions = subject.rolePermissions.get(subject.guildId) ?? 0n;
  for (const roleId of subject.roleIds) permissions |= subject.rolePermissions.get(roleId) ?? 0n;
  return (permissions & Permission.Administrator) !== 0n ? ALL_PERMISSIONS : permissions;
}

export function channelPermissions(subject: PermissionSubject, overwrites: readonly PermissionOverwrite[]): bigint {
  let permissions = guildPermissions(subject);
  if (permissions === ALL_PERMISSIONS) return ALL_PERMISSIONS;

  const everyone = overwrites.find((o) => o.type === 0 && o.id === subject.guildId);
  if (everyone) permissions = (permissions & ~everyone.deny) | everyone.allow;

  let roleAllow = 0n;
  let roleDeny = 0n;
  for (const overwrite of overwrites) {
    if (overwrite.type === 0 && subject.roleIds.includes(overwrite.id)) {
      roleAllow |= overwrite.allow;
      roleDeny |= overwrite.deny;
    }
  }
  permissions = (permissions & ~roleDeny) | roleAllow;

  const member = overwrites.find((o) => o.type === 1 && o.id === subject.userId);
  if (member) permissions = (permissions & ~member.deny) | member.allow;

  // Without View Channel nothing else in the channel is usable.
  return (permissions & Permission.ViewChannel) === 0n ? 0n : permissions;
}

export function hasPermissions(granted: bigint, required: bigint): boolean {
  return (granted & required) === required;
}
