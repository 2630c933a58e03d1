import { PermissionFlagsBits as P, PermissionsBitField } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { missingPublicAnswerPermissions } from '../../src/discord/interaction-errors.js';

/** Who may get a public answer, on real permission bits (as Discord sends them in interactions). */

const MEMBER = P.ViewChannel | P.SendMessages | P.EmbedLinks | P.ReadMessageHistory | P.SendMessagesInThreads;
const bits = (value: bigint) => new PermissionsBitField(value);

describe('missingPublicAnswerPermissions', () => {
  it('given a member who may send and embed, needs nothing more', () => {
    expect(missingPublicAnswerPermissions(bits(MEMBER), false)).toEqual([]);
  });

  it('given a read-only channel, names Send Messages', () => {
    expect(missingPublicAnswerPermissions(bits(MEMBER & ~P.SendMessages), false)).toEqual(['Send Messages']);
  });

  it('given no Embed Links, names it: cards and result lists are embeds', () => {
    expect(missingPublicAnswerPermissions(bits(MEMBER & ~P.EmbedLinks), false)).toEqual(['Embed Links']);
  });

  it('given a thread, asks for Send Messages in Threads instead of Send Messages', () => {
    expect(missingPublicAnswerPermissions(bits(MEMBER & ~P.SendMessages), true)).toEqual([]);
    expect(missingPublicAnswerPermissions(bits(MEMBER & ~P.SendMessagesInThreads), true)).toEqual(['Send Messages In Threads']);
  });

  it('given a timed-out member (Discord leaves View Channel and Read Message History), names what is gone', () => {
    expect(missingPublicAnswerPermissions(bits(P.ViewChannel | P.ReadMessageHistory), false)).toEqual(['Send Messages', 'Embed Links']);
  });

  it('given Administrator, needs nothing more', () => {
    expect(missingPublicAnswerPermissions(bits(P.Administrator), false)).toEqual([]);
  });

  it('given no member permissions (outside a server), needs nothing: nobody else reads it', () => {
    expect(missingPublicAnswerPermissions(null, false)).toEqual([]);
  });
});
