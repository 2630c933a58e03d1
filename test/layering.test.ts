import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The layer rule, checked on the source text: src/core is pure (no discord.js, no storage, no
 * file system, nothing from the outer layers); src/discord is an adapter that never fetches
 * papers itself (no src/feeds, no parsers of feeds); only src/app combines them.
 */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => path.relative(root, path.join(e.parentPath, e.name)));
}

/** Every module specifier a file imports or re-exports (static and dynamic). */
export function importsOf(text: string): string[] {
  const specifiers: string[] = [];
  const pattern = /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s*['"]([^'"]+)['"]/gm;
  for (const match of text.matchAll(pattern)) specifiers.push((match[1] ?? match[2] ?? match[3])!);
  return specifiers;
}

/** The violations of `rules` in one file: "file → specifier". */
function violations(file: string, text: string, forbidden: (specifier: string, resolved: string | undefined) => boolean): string[] {
  return importsOf(text)
    .filter((s) => forbidden(s, s.startsWith('.') ? path.relative(root, path.resolve(root, path.dirname(file), s)) : undefined))
    .map((s) => `${file} → ${s}`);
}

const coreForbidden = (specifier: string, resolved: string | undefined) =>
  /^(discord\.js|@discordjs\/|keyv$|@keyv\/|node:fs|fs$|fs\/|sqlite3)/.test(specifier) ||
  (resolved !== undefined && /^src\/(app|discord|storage|feeds|cli)\b|^commands\//.test(resolved));

const discordForbidden = (_specifier: string, resolved: string | undefined) =>
  resolved !== undefined && /^src\/(feeds|storage)\b|^src\/core\/parsers\b/.test(resolved);

describe('the layers', () => {
  it('finds imports the way the rule needs (a check that could not fail would prove nothing)', () => {
    const text = `import { Client } from 'discord.js';\nimport type { X } from "../feeds/source.js";\nexport { y } from './y.js';\nconst m = await import('keyv');\nimport 'node:fs';`;
    expect(importsOf(text)).toEqual(['discord.js', '../feeds/source.js', './y.js', 'keyv', 'node:fs']);
    expect(violations('src/core/a.ts', text, coreForbidden)).toEqual([
      'src/core/a.ts → discord.js',
      'src/core/a.ts → ../feeds/source.js',
      'src/core/a.ts → keyv',
      'src/core/a.ts → node:fs',
    ]);
    expect(violations('src/discord/a.ts', text, discordForbidden)).toEqual(['src/discord/a.ts → ../feeds/source.js']);
  });

  it('keeps src/core free of discord.js, keyv, the file system and the outer layers', () => {
    const found = sourceFiles('src/core').flatMap((file) => violations(file, readFileSync(path.join(root, file), 'utf8'), coreForbidden));
    expect(found).toEqual([]);
  });

  it('keeps src/discord an adapter: no feeds, no storage, no feed parsers', () => {
    const files = [...sourceFiles('src/discord'), ...sourceFiles('commands')];
    const found = files.flatMap((file) => violations(file, readFileSync(path.join(root, file), 'utf8'), discordForbidden));
    expect(found).toEqual([]);
  });
});
