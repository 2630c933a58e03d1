import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';

const token = 'MTIzNDU2Nzg5MDEyMzQ1Njc4.Gabcde.fghijklmnopqrstuvwxyz012345';
const shared = 'postgres://paperboy@127.0.0.1:5432/paperboy';
const bot = (env: Record<string, string>) => loadConfig({ DISCORD_TOKEN: token, STORE_URL: shared, ...env }, { require: 'bot' });

describe('CLUSTERS and SHARDS', () => {
  it('given neither, is one process with no manager', () => {
    expect(bot({}).scale).toEqual({});
    expect(bot({ CLUSTERS: '', SHARDS: ' ' }).scale).toEqual({});
  });

  it('given clusters and a shard count or auto, keeps both', () => {
    expect(bot({ CLUSTERS: '2', SHARDS: '4' }).scale).toEqual({ clusters: 2, shards: 4 });
    expect(bot({ CLUSTERS: '3', SHARDS: 'AUTO' }).scale).toEqual({ clusters: 3, shards: 'auto' });
    expect(bot({ SHARDS: '2' }).scale).toEqual({ shards: 2 });
  });

  it('given more than one cluster on SQLite, stops: several processes need a shared store', () => {
    expect(() => bot({ CLUSTERS: '2', STORE_URL: 'sqlite://data/p.sqlite' })).toThrow(/^CLUSTERS: more than one process needs a shared store/);
    expect(bot({ CLUSTERS: '1', STORE_URL: 'sqlite://data/p.sqlite' }).scale).toEqual({ clusters: 1 });
    expect(bot({ CLUSTERS: '2', STORE_URL: 'redis://127.0.0.1:6379' }).scale).toEqual({ clusters: 2 });
  });

  it('given a bad value, stops naming the key and never the value', () => {
    expect(() => bot({ CLUSTERS: 'two' })).toThrow(/^CLUSTERS: must be a whole number of processes from 1 to 64/);
    expect(() => bot({ CLUSTERS: '0' })).toThrow(/^CLUSTERS: /);
    expect(() => bot({ SHARDS: 'many' })).toThrow(/^SHARDS: must be auto .* or a whole number/);
    expect(() => bot({ SHARDS: '1.5' })).toThrow(/^SHARDS: /);
    expect(() => bot({ CLUSTERS: '4', SHARDS: '2' })).toThrow(/^SHARDS: must be at least CLUSTERS/);
    expect(() => bot({ SHARDS: 'secret-looking-value' })).toThrow(/^SHARDS: /);
    for (const env of [{ SHARDS: 'secret-looking-value' }, { CLUSTERS: 'secret-looking-value' }] as Record<string, string>[]) {
      expect(() => bot(env)).toThrow(expect.objectContaining({ message: expect.not.stringContaining('secret-looking-value') }));
    }
  });

  it('given hexadecimal or exponent notation, stops: only plain decimal numbers or auto', () => {
    for (const value of ['0x10', '1e3', '1e1', '+4', '4.0']) {
      expect(() => bot({ CLUSTERS: value, SHARDS: 'auto' })).toThrow(/^CLUSTERS: must be a whole number of processes from 1 to 64/);
      expect(() => bot({ SHARDS: value })).toThrow(/^SHARDS: must be auto \(Discord's recommendation\) or a whole number of shards from 1 to 4096/);
    }
    expect(bot({ CLUSTERS: ' 08 ', SHARDS: ' 16 ' }).scale).toEqual({ clusters: 8, shards: 16 });
  });

  it('given a count out of range, stops with the documented message, not a generic one', () => {
    for (const value of ['0', '5000', '999999999999']) {
      expect(() => bot({ SHARDS: value })).toThrow(/^SHARDS: must be auto \(Discord's recommendation\) or a whole number of shards from 1 to 4096 \(see \.env\.example\)$/);
    }
    for (const value of ['0', '65']) {
      expect(() => bot({ CLUSTERS: value })).toThrow(/^CLUSTERS: must be a whole number of processes from 1 to 64 \(see \.env\.example\)$/);
    }
  });
});
