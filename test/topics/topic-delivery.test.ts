import { ButtonStyle, ComponentType } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { cardHash } from '../../src/discord/topic-delivery.js';
import { digestNonce, NONCE_MAX, postNonce } from '../../src/core/topic-delivery-port.js';

describe('nonces', () => {
  it('are at most 25 characters (Discord refuses longer ones) and the same on every attempt', () => {
    const nonce = postNonce('1234567890123456789', '2603.00001');
    expect(nonce).toHaveLength(NONCE_MAX);
    expect(NONCE_MAX).toBe(25);
    expect(postNonce('1234567890123456789', '2603.00001')).toBe(nonce);
    expect(nonce).toMatch(/^[\w-]+$/);
  });

  it('differ by channel and by paper, and a digest’s does not depend on the order of its papers', () => {
    const nonces = new Set([postNonce('1', '2603.00001'), postNonce('2', '2603.00001'), postNonce('1', '2603.00002'), digestNonce('1', ['2603.00001'])]);
    expect(nonces.size).toBe(4);
    expect(digestNonce('1', ['b', 'a', 'c'])).toBe(digestNonce('1', ['a', 'b', 'c']));
    expect(digestNonce('1', ['a', 'b'])).not.toBe(digestNonce('1', ['a', 'b', 'c']));
  });
});

describe('card hashes', () => {
  it('change with what the card shows, not with the ping', () => {
    const card = { embeds: [{ title: 'A paper', fields: [{ name: 'Upvotes', value: '▲ 3' }] }], allowedMentions: { parse: [] as [] } };
    expect(cardHash({ ...card, content: '<@&1>' })).toBe(cardHash(card));
    expect(cardHash({ ...card, embeds: [{ title: 'A paper', fields: [{ name: 'Upvotes', value: '▲ 4' }] }] })).not.toBe(cardHash(card));
  });

  it('change when a link button appears (a code link found later)', () => {
    const card = { embeds: [{ title: 'A paper' }], allowedMentions: { parse: [] as [] } };
    const code = { type: ComponentType.Button, style: ButtonStyle.Link, label: 'Code', url: 'https://github.com/example/x' } as const;
    expect(cardHash({ ...card, components: [{ type: ComponentType.ActionRow, components: [code] }] })).not.toBe(cardHash(card));
  });
});
