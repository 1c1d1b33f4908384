import type { RequestHandler } from 'express';
import { ErrorCode } from '../errors';
import { sendError } from './http-errors';

/**
 * A request asking to switch protocols (`Connection: Upgrade` with `Upgrade:`): this server switches to none. Node,
 * with no 'upgrade' listener, hands it over as a plain request, but its parser reads nothing after it on that
 * connection: a request pipelined behind it waited unanswered until the connection timed out. Its answer now closes the
 * connection, so the client sends the next one on another. A WebSocket (a GraphQL subscription client's) is refused
 * with a JSON error saying what to use; any other (curl --http2's `h2c`) is answered in HTTP/1.1, as RFC 9110 allows.
 */

export const WEBSOCKET_REFUSED = 'this server does not serve GraphQL over WebSocket (the API has no subscriptions): send each operation as an HTTP POST to /graphql';

export const answerUpgradeRequests: RequestHandler = (req, res, next) => {
  const upgrade = req.headers.upgrade;
  if (upgrade === undefined || !/(^|,)\s*upgrade\s*(,|$)/i.test(req.headers.connection ?? '')) return next();
  res.setHeader('Connection', 'close');
  if (!/(^|,)\s*websocket\s*(\/|,|$)/i.test(upgrade)) return next();
  sendError(res, ErrorCode.BAD_REQUEST, WEBSOCKET_REFUSED);
};
