import type { RequestHandler } from 'express';

/**
 * Every answer is the type it says it is, set before any route runs. An answer quotes text a client or landing wrote
 * (a CSV cell, a field name in an error): a browser that sniffed one as HTML would run what that text holds.
 */
export const noSniff: RequestHandler = (_req, res, next) => {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  next();
};
