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

// No redirect of /web to /web/ (an HTML page, to a folder that lists nothing): it is a path in no route, answered 404 JSON.
const SERVE_OPTIONS = { index: false, redirect: false, maxAge: 0, setHeaders: (res: express.Response) => res.setHeader('X-Content-Type-Options', 'nosniff') } as const;
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
    res.sendFile(gzip, { maxAge: 0, headers: { 'X-Content-Type-Options': 'nosniff' } }, (error?: Error & { status?: number; code?: string }) => {
      // A client gone, or an answer under way: nothing more can be said.
      if (!error || res.headersSent || error.code === 'ECONNABORTED') return;
      // A Range or If-Match refused for the gzip is refused (a Range past the gzip's end was answered with the plain
      // file's bytes from there); a gzip gone or unreadable falls back to the plain file (answered as an error, the
      // JSON kept its Content-Encoding: gzip).
      if (error.status === 412 || error.status === 416) return next(error);
      res.removeHeader('Content-Encoding');
      files(req, res, next);
    });
  };
};

export interface ExampleTab {
  query: string;
  /** The JSON of the variables its operation needs (GraphiQL's variables pane), from `<name>.variables.json` beside it. */
  variables?: string;
}

/** Private: the tabs a first run should meet, in this order: each runs for any role without variables to fill in. */
const FIRST_TABS = ['training-page.graphql', 'training-batch.graphql', 'customers.graphql', 'lake-status.graphql'];
/** Private: a document whose opening comment says it needs the admin role goes last (an analyst gets FORBIDDEN). */
const ADMIN_ONLY = /^(#[^\n]*\n)*#[^\n]*\badmin\b/i;

/**
 * Every examples/graphql document (none when the folder is absent, as in a slim image): the ones any role can run
 * as they are first, then the rest by name, admin-only ones last, so an analyst's first Ctrl+Enter answers data.
 */
export function exampleTabs(): ExampleTab[] {
  if (!existsSync(EXAMPLES_DIR)) return [];
  const documents = readdirSync(EXAMPLES_DIR)
    .filter((f) => f.endsWith('.graphql'))
    .map((file) => ({ file, query: readFileSync(join(EXAMPLES_DIR, file), 'utf8') }));
  const rank = ({ file, query }: { file: string; query: string }): number =>
    FIRST_TABS.includes(file) ? FIRST_TABS.indexOf(file) : ADMIN_ONLY.test(query) ? 2 * FIRST_TABS.length : FIRST_TABS.length;
  return documents.sort((a, b) => rank(a) - rank(b) || (a.file < b.file ? -1 : 1)).map(({ file, query }) => ({ query, ...variablesOf(file) }));
}

/** A document whose operation needs a variable (CustomerWithReadings' serialNumber) opens with it filled in, not with a "must be provided" error. */
function variablesOf(file: string): { variables?: string } {
  const path = join(EXAMPLES_DIR, file.replace(/\.graphql$/, '.variables.json'));
  return existsSync(path) ? { variables: readFileSync(path, 'utf8').trim() } : {};
}
