import { isUtf8 } from 'node:buffer';
import type { IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';
import { ErrorCode } from '../errors';
import { sendError } from './http-errors';

/**
 * Text a client sends must be UTF-8. Decoders put U+FFFD in place of bytes that are not, silently: a splitSeed sent
 * as Latin-1 `é` (0xE9), `%FE` or a real U+FFFD all chose the same split, one no UTF-8 client asking for `é` gets,
 * and an export answered it as if asked for. Refused instead, as an unpaired surrogate is.
 */

export const NOT_UTF8_BODY = 'the request body is not valid UTF-8; send the JSON encoded as UTF-8 (a Latin-1 or Windows-1252 é is one byte that UTF-8 does not allow)';
export const NOT_UTF8_QUERY =
  'the query string holds a percent-encoded byte sequence that is not UTF-8 (such as %E9 or %FF); percent-encode the UTF-8 bytes of the text, as encodeURIComponent or urllib.parse.quote do';

/** body-parser's `verify`: runs on the body as sent (decompressed), before it is decoded. */
export function requireUtf8Body(_req: IncomingMessage, _res: unknown, body: Buffer): void {
  if (!isUtf8(body)) throw Object.assign(new Error(NOT_UTF8_BODY), { status: 400, type: 'entity.not.utf8' });
}

/** Whether every percent-encoded sequence of `url`'s query string decodes as UTF-8. */
export function queryIsUtf8(url: string): boolean {
  const start = url.indexOf('?');
  if (start < 0 || !url.includes('%', start)) return true;
  for (const part of url.slice(start + 1).split(/[&=]/)) {
    try {
      decodeURIComponent(part);
    } catch {
      // A stray `%` that starts no escape is left as it is by the query parser, and is not a byte sequence: allowed.
      if (/%[0-9A-Fa-f]{2}/.test(part) && !decodesWithStrayPercents(part)) return false;
    }
  }
  return true;
}

// decodeURIComponent also throws on a lone `%` (`100%`); querystring keeps those as text, so only the escapes matter.
function decodesWithStrayPercents(part: string): boolean {
  try {
    decodeURIComponent(part.replace(/%(?![0-9A-Fa-f]{2})/g, '%25'));
    return true;
  } catch {
    return false;
  }
}

/** Refuses a request whose query string (GET /graphql's query and variables, /export's splitSeed) is not UTF-8. */
export const requireUtf8Query: RequestHandler = (req, res, next) => {
  if (queryIsUtf8(req.originalUrl)) return next();
  sendError(res, ErrorCode.BAD_USER_INPUT, NOT_UTF8_QUERY);
};
