import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
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

const SERVE_OPTIONS = { index: false, maxAge: 0, setHeaders: (res: express.Response) => res.setHeader('X-Content-Type-Options', 'nosniff') } as const;
/** Private: the bundled scripts and styles, each written beside its gzip by scripts/build-web.js. */
const COMPRESSED = /^\/[A-Za-z0-9_-]+\.(js|css)$/;

/** The bundled files, revalidated on every load so a rebuild shows at once; gzipped to a browser that takes it. */
export const webAssets = (): RequestHandler => {
  const files = express.static(WEB_DIR, SERVE_OPTIONS);
  return (req, res, next) => {
    if (!COMPRESSED.test(req.path)) return files(req, res, next);
    // Caches keep the two encodings apart.
    res.setHeader('Vary', 'Accept-Encoding');
    const gzip = join(WEB_DIR, `${req.path}.gz`);
    if (!req.acceptsEncodings('gzip') || !existsSync(gzip)) return files(req, res, next);
    res.type(extname(req.path));
    res.setHeader('Content-Encoding', 'gzip');
    res.sendFile(gzip, { maxAge: 0, headers: { 'X-Content-Type-Options': 'nosniff' } }, (error?: Error) => {
      if (!error) return;
      res.removeHeader('Content-Encoding');
      files(req, res, next);
    });
  };
};

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
