import type { NextFunction, Request, RequestHandler, Response } from 'express';

/**
 * Several request handlers run in turn as one Express layer, as the router would run them as separate layers: a
 * handler that calls next() hands on to the next one, next(error) (or a throw, or a rejected promise) skips the rest to
 * the app's error handlers. Every request went through each of ~30 layers one by one, the router matching the path,
 * trimming and restoring a mount prefix and parsing the URL again for each; this is most of what grew the main thread's
 * time of a small uncached query by a third since session 22. compose-middleware does this too, but without Express 5's
 * handling of a rejected promise, and with a debug call per step.
 */
export function oneLayer(...handlers: RequestHandler[]): RequestHandler {
  return (req: Request, res: Response, done: NextFunction): void => {
    let at = 0;
    const next = (error?: unknown): void => {
      // An error, or 'route' / 'router': the router itself decides, as it would for a handler of its own layer.
      if (error) return done(error);
      const handler = handlers[at++];
      if (!handler) return done();
      try {
        const returned: unknown = handler(req, res, next);
        if (returned instanceof Promise) returned.then(undefined, (rejected: unknown) => next(rejected || new Error('Rejected promise')));
      } catch (thrown) {
        next(thrown);
      }
    };
    next();
  };
}
