import type { Request, RequestHandler, Response } from 'express';
import { ErrorCode } from '../errors';
import { EXPORT_PATH } from './export';
import { sendError } from './http-errors';
import { routeSpelling } from './request-path';
import { WEB_PATH } from './web-assets';

/**
 * The server's routes and the methods each takes: one rule, before any route's
 * handler or key, for OPTIONS (204 with Allow) and a method a route does not
 * take (405 with Allow, in the JSON error shape); each route had answered its
 * own way (Express's 200, Apollo's 405 after a key, a 404 for POST /). A path in
 * no route goes on to the 404 (unknown-route.ts); a CORS preflight is cors.ts's.
 */

interface Route {
  path: string;
  /** Mounted with app.use: the path and everything under it (as Express matches it). */
  prefix: boolean;
  methods: readonly string[];
  /** Said after "not METHOD" in a 405. */
  hint?: string;
}

const READ = ['GET', 'HEAD', 'OPTIONS'] as const;
// HEAD: a GET's answer without its body (the IDE page's to a browser, the API's otherwise: apiHeadAsGet).
const ROUTES: readonly Route[] = [
  { path: '/graphql', prefix: false, methods: ['GET', 'HEAD', 'POST', 'OPTIONS'] },
  { path: '/', prefix: false, methods: READ, hint: ': the API is at POST /graphql' },
  { path: WEB_PATH, prefix: true, methods: READ },
  { path: '/healthz', prefix: false, methods: READ },
  { path: '/readyz', prefix: false, methods: READ },
  { path: '/metrics', prefix: false, methods: READ },
  { path: EXPORT_PATH, prefix: false, methods: READ, hint: ': GET it with format=parquet, csv or ndjson in the query string' },
];

/** The route `path` belongs to, if any. */
function routeOf(path: string): Route | undefined {
  const wanted = routeSpelling(path);
  return ROUTES.find((route) => wanted === route.path || (route.prefix && wanted.startsWith(`${route.path}/`)));
}

/** The route's name in a message: its own path, never the client's spelling of it. */
const named = (route: Route): string => (route.prefix ? `${route.path}/…` : route.path);

function refuse(req: Request, res: Response, route: Route, hint = route.hint): void {
  const allow = route.methods.join(', ');
  res.setHeader('Allow', allow);
  const takes = route.methods.includes('POST') ? 'is sent with GET or POST' : 'is read with GET';
  sendError(res, ErrorCode.BAD_USER_INPUT, `${named(route)} ${takes}, not ${req.method}${hint ?? ''}`, 405);
}

/**
 * Apollo, mounted through this: a HEAD of the API is answered as its GET, without the body (Node writes none to a
 * HEAD), as HTTP asks of HEAD and as every other route answers it. Apollo takes GET and POST only, so it is shown a
 * GET; it reads the method as it is called, and the request is a HEAD again for the log and metrics. A HEAD had been
 * refused 405 with an Allow listing HEAD.
 */
export function apiHeadAsGet(apollo: RequestHandler): RequestHandler {
  return (req, res, next) => {
    if (req.method !== 'HEAD') return apollo(req, res, next);
    req.method = 'GET';
    try {
      return apollo(req, res, next);
    } finally {
      req.method = 'HEAD';
    }
  };
}

/** Every method some route takes: what `OPTIONS *` answers for the server as a whole. */
export const ANY_ROUTE = [...new Set(ROUTES.flatMap((route) => route.methods))].join(', ');

/**
 * The asterisk-form target (`OPTIONS * HTTP/1.1`, RFC 9112 §3.2.4) asks about the server, not a path: a client
 * probing it got a 404 naming `*` as a route; any other method with it is malformed.
 */
function answerAsterisk(req: Request, res: Response): void {
  if (req.method === 'OPTIONS') {
    res.setHeader('Allow', ANY_ROUTE);
    res.status(204).end();
    return;
  }
  sendError(res, ErrorCode.BAD_USER_INPUT, `the request target * is for OPTIONS only, not ${req.method}; send ${req.method} to a path such as /graphql`, 400);
}

/** Answers OPTIONS and a method its route does not take; passes on every other request. */
export const routeMethods: RequestHandler = (req, res, next) => {
  if (req.path === '*') return answerAsterisk(req, res);
  const route = routeOf(req.path);
  if (!route) return next();
  if (req.method === 'OPTIONS') {
    res.setHeader('Allow', route.methods.join(', '));
    res.status(204).end();
    return;
  }
  if (!route.methods.includes(req.method)) return refuse(req, res, route);
  next();
};
