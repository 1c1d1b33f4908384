import { randomBytes } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { idePage } from './ide-page';

/**
 * GET /graphql from a browser (it asks for HTML and sends no query) gets the
 * offline IDE; every other GET /graphql goes on to auth and Apollo.
 */
export function ideHandler(req: Request, res: Response, next: NextFunction): void {
  const wantsPage = req.method === 'GET' && req.query.query === undefined && req.accepts(['application/json', 'text/html']) === 'text/html';
  if (!wantsPage) {
    next();
    return;
  }
  const nonce = randomBytes(16).toString('base64');
  res.set({
    'Content-Type': 'text/html; charset=utf-8',
    'Cache-Control': 'no-store',
    // The page may only run its own inline script and style and talk to this server.
    'Content-Security-Policy': `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
  });
  res.send(idePage(nonce));
}
