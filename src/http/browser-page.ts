import { randomBytes } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { WEB_PATH, webBuilt } from './web-assets';
import { requestPath } from './request-path';

/**
 * What the browser pages share: they are sent only to a browser asking for
 * HTML, under one Content-Security-Policy that lets them load their own
 * bundled files (dist/web) and talk to this server, nothing else.
 */

const wantsHtml = (req: Request): boolean =>
  (req.method === 'GET' || req.method === 'HEAD') && req.query.query === undefined && req.accepts(['application/json', 'text/html']) === 'text/html';

/** Sets the headers and returns the nonce for the page's script tag. */
function pageHeaders(res: Response): string {
  const nonce = randomBytes(16).toString('base64');
  res.set({
    'Content-Type': 'text/html; charset=utf-8',
    'Cache-Control': 'no-store',
    // Styles also by nonce: GraphiQL's dialogs add a <style> element at run time, stamped with it.
    'Content-Security-Policy': `default-src 'none'; script-src 'self' 'nonce-${nonce}'; style-src 'self' 'nonce-${nonce}'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
  });
  return nonce;
}

const escapeHtml = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** JSON safe inside a <script type="application/json"> element: no `</script>`, no `<!--`. */
export const jsonForHtml = (value: unknown): string => JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');

/** The page shown instead when the bundle was never built. */
const notBuiltPage = (what: string): string =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(what)} not built</title></head><body><p>The ${escapeHtml(what)} is not built: run <code>npm run build</code> (it bundles the pages into dist/web), then reload.</p></body></html>\n`;

export interface PageContent {
  title: string;
  /** Files of dist/web. */
  stylesheet: string;
  script: string;
  /** The body's markup before the script, its links relative (see rootFrom); escaped by the caller. */
  body: string;
}

/**
 * The way from the page back to the server's root, as a relative URL ('' or '../'): every link, file and call of
 * the pages is relative, so they work behind a proxy that serves this server under a path (jupyter-server-proxy's
 * /proxy/4000/, nginx's location /stedi/), where an absolute /web/ide.js reached the proxy's own root.
 */
export function rootFrom(req: Request): string {
  const path = requestPath(req);
  return '../'.repeat(Math.max(0, path.split('/').length - 2));
}

/** A handler answering a browser's GET with the page, and passing every other request on. */
export function browserPage(what: string, content: (req: Request, root: string) => PageContent) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (!wantsHtml(req)) {
      next();
      return;
    }
    const nonce = pageHeaders(res);
    if (!webBuilt()) {
      res.status(503).send(notBuiltPage(what));
      return;
    }
    const root = rootFrom(req);
    const page = content(req, root);
    const web = `${root}${WEB_PATH.slice(1)}`;
    res.send(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${escapeHtml(page.title)}</title>
<link rel="stylesheet" href="${web}/${page.stylesheet}">
</head>
<body>
${page.body}
<script nonce="${escapeHtml(nonce)}" src="${web}/${page.script}"></script>
</body>
</html>
`);
  };
}
