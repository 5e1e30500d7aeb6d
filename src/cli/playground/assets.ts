// The page's files: the HTML (page-html.ts), app.js as `npm run build:playground` bundled it,
// and the bundle's three files.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../policy/build/package-root';
import { pageHtml } from './page-html';
import { BUNDLE_FILES, type PlaygroundData } from './page/protocol';

export const APP_SCRIPT = join('dist', 'playground', 'app.js');

/** Every file of the site, read once: the server serves them, export writes them. */
export function pageFiles(bundleDir: string, data: PlaygroundData): Map<string, Buffer> {
  const script = join(packageRoot(), APP_SCRIPT);
  if (!existsSync(script)) {
    throw new Error(`${script} is missing: build the page first (npm run build:playground)`);
  }
  const files = new Map<string, Buffer>([
    ['index.html', Buffer.from(pageHtml())],
    ['app.js', readFileSync(script)],
    ['playground.json', Buffer.from(JSON.stringify(data))],
  ]);
  for (const [key, site] of Object.entries(BUNDLE_FILES)) {
    const file = join(bundleDir, site.slice('bundle/'.length));
    if (key === 'data' && !existsSync(file)) continue;
    files.set(site, readFileSync(file));
  }
  return files;
}

export const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
};
