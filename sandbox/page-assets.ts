/**
 * The page's files: index.html and styles.css as written, app.js bundled from web/app.ts with
 * esbuild (it comes with tsx, a dependency) once at start — about a tenth of a second, so a
 * fresh clone needs no build step before `npm run sandbox`.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export type PageAsset = { readonly type: string; readonly body: string };
export type PageAssets = { get(pathname: string): PageAsset | undefined };

const WEB_DIR = fileURLToPath(new URL('./web/', import.meta.url));

export async function createPageAssets(): Promise<PageAssets> {
  const [html, css, bundle] = await Promise.all([
    readFile(`${WEB_DIR}index.html`, 'utf8'),
    readFile(`${WEB_DIR}styles.css`, 'utf8'),
    build({
      entryPoints: [`${WEB_DIR}app.ts`],
      bundle: true,
      write: false,
      format: 'esm',
      target: 'es2022',
      platform: 'browser',
      sourcemap: 'inline',
      logLevel: 'silent',
    }),
  ]);
  const js = bundle.outputFiles[0]?.text;
  if (js === undefined) throw new Error('sandbox: bundling web/app.ts produced no output');
  const assets = new Map<string, PageAsset>([
    ['/', { type: 'text/html; charset=utf-8', body: html }],
    ['/index.html', { type: 'text/html; charset=utf-8', body: html }],
    ['/styles.css', { type: 'text/css; charset=utf-8', body: css }],
    ['/app.js', { type: 'text/javascript; charset=utf-8', body: js }],
  ]);
  return { get: (pathname) => assets.get(pathname) };
}

/** A listing thumbnail: a colour field derived from the paper id, as HF shows a paper's first page. */
export function thumbnailSvg(id: string): string {
  const hash = createHash('sha1').update(id).digest();
  const hue = (hash[0]! * 360) / 256;
  const hue2 = (hue + 40 + (hash[1]! % 80)) % 360;
  const lines = Array.from({ length: 7 }, (_, i) => `<rect x="14" y="${34 + i * 9}" width="${52 - ((hash[2 + i]! % 4) * 6)}" height="3" rx="1.5" fill="#fff" opacity=".75"/>`).join('');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="80" height="100" viewBox="0 0 80 100">` +
    `<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="hsl(${hue} 70% 55%)"/><stop offset="1" stop-color="hsl(${hue2} 65% 40%)"/></linearGradient></defs>` +
    `<rect width="80" height="100" rx="6" fill="url(#g)"/><rect x="14" y="16" width="40" height="6" rx="3" fill="#fff"/>${lines}</svg>`
  );
}
