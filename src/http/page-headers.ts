import { randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';

/**
 * What the browser pages share: they are sent only to a browser asking for
 * HTML, and under one Content-Security-Policy that lets them load their own
 * bundled files and talk to this server, nothing else.
 */

export const wantsHtml = (req: Request): boolean =>
  req.method === 'GET' && req.query.query === undefined && req.accepts(['application/json', 'text/html']) === 'text/html';

/** Sets the headers and returns the nonce for the page's script and style tags. */
export function pageHeaders(res: Response): string {
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

export const escapeHtml = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** JSON safe inside a <script type="application/json"> element: no `</script>`, no `<!--`. */
export const jsonForHtml = (value: unknown): string => JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');

/** The page shown instead when the bundle was never built. */
export const notBuiltPage = (what: string): string =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(what)} not built</title></head><body><p>The ${escapeHtml(what)} is not built: run <code>npm run build</code> (it bundles the pages into dist/web), then reload.</p></body></html>\n`;
