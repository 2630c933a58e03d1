import { OverwriteType, PermissionFlagsBits as P } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { describeExtraPermissions, hasExtraPermissions, permissionsBeyondEveryone, type OverwriteBits, type RoleGrantFacts } from '../../src/discord/topic-access.js';

/** The follow-role rule on real permission bits, the way Discord computes them. */

const GUILD = '100000000000000001';
const ROLE = '100000000000000002';
const MUTED = '100000000000000003';
/** What Discord gives @everyone in a new server (the part that matters here). */
const EVERYONE = P.ViewChannel | P.SendMessages | P.ReadMessageHistory | P.AddReactions | P.EmbedLinks | P.AttachFiles | P.UseApplicationCommands | P.Connect | P.Speak;

const role = (id: string, allow = 0n, deny = 0n): OverwriteBits => ({ id, type: OverwriteType.Role, allow, deny });
const member = (id: string, allow = 0n, deny = 0n): OverwriteBits => ({ id, type: OverwriteType.Member, allow, deny });

function facts(rolePermissions: bigint, channels: RoleGrantFacts['channels'] = []): RoleGrantFacts {
  return { guildId: GUILD, roleId: ROLE, rolePermissions, everyonePermissions: EVERYONE, channels };
}

describe('permissionsBeyondEveryone', () => {
  it('given a role with no permissions and no overwrites, finds nothing', () => {
    const extra = permissionsBeyondEveryone(facts(0n, [{ id: 'c1', name: 'general', overwrites: [] }]));
    expect(hasExtraPermissions(extra)).toBe(false);
  });

  it('given a role that repeats what @everyone has, finds nothing', () => {
    expect(hasExtraPermissions(permissionsBeyondEveryone(facts(EVERYONE)))).toBe(false);
  });

  it('given Mute Members and Move Members server-wide, names exactly those', () => {
    const extra = permissionsBeyondEveryone(facts(P.SendMessages | P.MuteMembers | P.MoveMembers));
    expect(extra.serverWide).toBe(P.MuteMembers | P.MoveMembers);
    expect(describeExtraPermissions(extra)).toBe('**Mute Members, Move Members**');
  });

  it('given any harmless-looking extra (Change Nickname), still counts it: the rule is "nothing beyond @everyone"', () => {
    expect(permissionsBeyondEveryone(facts(P.ChangeNickname)).serverWide).toBe(P.ChangeNickname);
  });

  it('given Administrator, names only Administrator: it overrides every overwrite anyway', () => {
    const extra = permissionsBeyondEveryone(facts(P.Administrator | P.BanMembers, [{ id: 'c1', name: 'staff', overwrites: [role(ROLE, P.ViewChannel)] }]));
    expect(extra).toEqual({ serverWide: P.Administrator, channels: [] });
  });

  it('given a private channel (@everyone denied View Channel) that the role may view, names the channel', () => {
    const extra = permissionsBeyondEveryone(
      facts(0n, [
        { id: 'c1', name: 'general', overwrites: [] },
        { id: 'c2', name: 'staff', overwrites: [role(GUILD, 0n, P.ViewChannel), role(ROLE, P.ViewChannel)] },
      ]),
    );
    expect(extra).toEqual({ serverWide: 0n, channels: [{ id: 'c2', name: 'staff', extra: P.ViewChannel }] });
    expect(describeExtraPermissions(extra)).toBe('**View Channel** in #staff');
  });

  it('given a read-only channel where the role may send, counts Send Messages there', () => {
    const extra = permissionsBeyondEveryone(facts(0n, [{ id: 'c1', name: 'news', overwrites: [role(GUILD, 0n, P.SendMessages), role(ROLE, P.SendMessages | P.ViewChannel)] }]));
    // View Channel is something @everyone has there: only Send Messages is extra.
    expect(extra.channels).toEqual([{ id: 'c1', name: 'news', extra: P.SendMessages }]);
  });

  it('given an allow for something @everyone lacks server-wide (Manage Messages in one channel), counts it', () => {
    const extra = permissionsBeyondEveryone(facts(0n, [{ id: 'c1', name: 'general', overwrites: [role(ROLE, P.ManageMessages)] }]));
    expect(extra.channels[0]?.extra).toBe(P.ManageMessages);
  });

  it('given an allow that lifts another role’s deny (a mute), counts it: role allows win over role denies', () => {
    const extra = permissionsBeyondEveryone(facts(0n, [{ id: 'c1', name: 'general', overwrites: [role(MUTED, 0n, P.SendMessages), role(ROLE, P.SendMessages)] }]));
    expect(extra.channels).toEqual([{ id: 'c1', name: 'general', extra: P.SendMessages }]);
  });

  it('given an @everyone overwrite that allows more than the server does, an equal allow for the role adds nothing', () => {
    const extra = permissionsBeyondEveryone(facts(0n, [{ id: 'c1', name: 'stage', overwrites: [role(GUILD, P.MuteMembers), role(ROLE, P.MuteMembers)] }]));
    expect(hasExtraPermissions(extra)).toBe(false);
  });

  it('given only denies for the role, or overwrites for other roles and members, finds nothing', () => {
    const extra = permissionsBeyondEveryone(
      facts(0n, [{ id: 'c1', name: 'general', overwrites: [role(ROLE, 0n, P.SendMessages), role(MUTED, P.ManageMessages), member('200000000000000001', P.ManageMessages)] }]),
    );
    expect(hasExtraPermissions(extra)).toBe(false);
  });

  it('given extras in many channels, names three and counts the rest', () => {
    const channels = ['a', 'b', 'c', 'd', 'e'].map((name) => ({ id: name, name, overwrites: [role(ROLE, P.ManageMessages)] }));
    expect(describeExtraPermissions(permissionsBeyondEveryone(facts(P.KickMembers, channels)))).toBe(
      '**Kick Members**; **Manage Messages** in #a; **Manage Messages** in #b; **Manage Messages** in #c; more in 2 other channels',
    );
  });
});
