import type { IncomingMessage, ServerResponse } from 'node:http';
import { ErrorCode } from '../errors';

/** The Express app as the server calls it: with `done` for a request no route answered. */
export type AppListener = (req: IncomingMessage, res: ServerResponse, done?: (error?: unknown) => void) => void;

const UNREADABLE =
  'the request target is not a URL this server can read (an absolute-form target such as http://host/graphql needs a valid host); send the path alone, such as /graphql';

/**
 * A request target Express's router cannot parse (an absolute form with a broken host: `GET http://[::1/graphql`) skips
 * every route and middleware, and Express's own handler answered a 404 HTML page ("Cannot GET resource") without
 * nosniff. Every other route ends in unknownRoute or the error handler, so only such a target reaches `done`: a 400 in
 * the JSON error shape, and the connection closes (what this client sends next cannot be trusted to be read alike).
 */
export function answerUnreadableTargets(app: AppListener): AppListener {
  return (req, res) => app(req, res, () => refuse(res));
}

function refuse(res: ServerResponse): void {
  if (res.headersSent) return void res.destroy();
  const body = JSON.stringify({ errors: [{ message: UNREADABLE, extensions: { code: ErrorCode.BAD_USER_INPUT } }] });
  res.writeHead(400, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    Connection: 'close',
  });
  res.end(body);
}
