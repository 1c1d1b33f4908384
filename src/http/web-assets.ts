import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import express, { type RequestHandler } from 'express';
import { packageRoot } from '../package-info';

/**
 * Where the browser pages' files are: dist/web (bundled by scripts/build-web.js
 * during `npm run build` / `npm ci`) and the example documents the IDE opens
 * as tabs. Found from the package root, so the sources (tests) and the
 * compiled server (dist/src) read the same files.
 */

const ROOT = packageRoot();
export const WEB_DIR = join(ROOT, 'dist', 'web');
export const WEB_PATH = '/web';
const EXAMPLES_DIR = join(ROOT, 'examples', 'graphql');

/** True when the bundle exists; the pages say how to build it otherwise. */
export const webBuilt = (): boolean => existsSync(join(WEB_DIR, 'ide.js')) && existsSync(join(WEB_DIR, 'lake.js'));

/** The bundled files, revalidated on every load so a rebuild shows at once. */
export const webAssets = (): RequestHandler =>
  express.static(WEB_DIR, { index: false, maxAge: 0, setHeaders: (res) => res.setHeader('X-Content-Type-Options', 'nosniff') });

export interface ExampleTab {
  query: string;
}

/** Every examples/graphql document, in name order (none when the folder is absent, as in a slim image). */
export function exampleTabs(): ExampleTab[] {
  if (!existsSync(EXAMPLES_DIR)) return [];
  return readdirSync(EXAMPLES_DIR)
    .filter((f) => f.endsWith('.graphql'))
    .sort()
    .map((f) => ({ query: readFileSync(join(EXAMPLES_DIR, f), 'utf8') }));
}
