import zlib from 'node:zlib';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { ErrorCode } from '../errors';
import { MESSAGES } from '../graphql/error-mapping';
import { sendError } from './http-errors';
import { NOT_UTF8_BODY } from './utf8-input';
import { TOO_DEEP_BODY } from './json-depth';
import { requestLogOf, requestIdOf } from './request-context';

export function bodyLimitMessage(limit: string): string {
  return `the request body is larger than the limit of ${limit}; send a smaller query (put large values in variables, page with first/after) or raise STEDI_BODY_LIMIT`;
}

const NOT_JSON = 'the request body is not valid JSON; send one JSON object such as {"query": "{ lake { liveVersion } }"} (a cut-off body or a stray quote breaks it)';

// body-parser reads zstd where Node's zlib does (Node 22.15+ and 23.8+; not Node 20): the message names what this one reads.
const READ_ENCODINGS = 'createZstdDecompress' in zlib ? 'gzip, deflate, br or zstd' : 'gzip, deflate or br';

// What the client sent, quoted back as JSON so control characters in the header cannot shape the message.
const UNSUPPORTED_ENCODING = (req: Request): string =>
  `the request body's Content-Encoding ${JSON.stringify(String(req.headers['content-encoding'] ?? '').slice(0, 40))} is not supported: send it uncompressed, or compressed once with ${READ_ENCODINGS}`;

/**
 * The app's last error handler: body-parser's errors (too large, not JSON,
 * cut short, a corrupt compressed body) become clear client errors; anything else is logged and answered as an
 * internal error without details.
 */
export function errorHandler(bodyLimit: string) {
  return (error: unknown, req: Request, res: Response, _next: NextFunction): void => {
    const type = (error as { type?: string }).type;
    if (type === 'entity.too.large') return sendError(res, ErrorCode.BAD_USER_INPUT, bodyLimitMessage(bodyLimit), 413);
    // BAD_REQUEST, as Apollo answers a GET whose variables are not JSON: the request is not a GraphQL request at all.
    if (type === 'entity.parse.failed') return sendError(res, ErrorCode.BAD_REQUEST, notAnObject(error) ? NOT_AN_OBJECT : holdsNaN(error) ? NAN_IN_JSON : NOT_JSON);
    if (type === 'encoding.unsupported') return sendError(res, ErrorCode.BAD_USER_INPUT, UNSUPPORTED_ENCODING(req), 415);
    if (type === 'entity.not.utf8') return sendError(res, ErrorCode.BAD_USER_INPUT, NOT_UTF8_BODY);
    if (type === 'entity.too.deep') return sendError(res, ErrorCode.BAD_USER_INPUT, TOO_DEEP_BODY);
    if (type === 'charset.unsupported') return sendError(res, ErrorCode.BAD_USER_INPUT, 'the request body must be UTF-8 JSON: send it as UTF-8 (Content-Type: application/json, or with charset=utf-8)', 415);
    const refused = fileRefusal(error);
    if (refused) {
      // The file's own headers (its type, ETag, Content-Encoding) do not describe the JSON error sent instead.
      for (const name of FILE_HEADERS) res.removeHeader(name);
      for (const [name, value] of Object.entries(refused.headers)) res.setHeader(name, value);
      return sendError(res, ErrorCode.BAD_USER_INPUT, refused.message, refused.status);
    }
    const unreadable = unreadableBody(error, req);
    if (unreadable) {
      // The client's doing (a body cut short, a corrupt compressed body): logged as a client error, never as the server's.
      requestLogOf(res).info({ reason: (error as { code?: string }).code ?? type }, unreadable);
      return sendError(res, ErrorCode.BAD_USER_INPUT, unreadable);
    }
    requestLogOf(res).error({ err: error }, 'unhandled error');
    sendError(res, ErrorCode.INTERNAL_SERVER_ERROR, MESSAGES.internal(requestIdOf(res)));
  };
}

/** What the client should fix when body-parser could not read the body (a 4xx it raised), or undefined for any other error. */
function unreadableBody(error: unknown, req: Request): string | undefined {
  const { status, type, code } = error as { status?: unknown; type?: string; code?: string };
  if (typeof status !== 'number' || status < 400 || status >= 500) return undefined;
  // zlib's codes (gzip, deflate) start Z_, brotli's ERR__ERROR_ (ERR__ERROR_FORMAT_PADDING_1, …), zstd's ZSTD_error_.
  if (typeof code === 'string' && (code.startsWith('Z_') || code.startsWith('ERR__ERROR_') || code.startsWith('ZSTD_'))) {
    const encoding = String(req.headers['content-encoding'] ?? '').trim().toLowerCase();
    return `the request body could not be decoded as ${encoding}: send it compressed as its Content-Encoding header says, or uncompressed without that header`;
  }
  if (type === 'request.aborted') return 'the request body ended before its Content-Length was reached (the client stopped sending)';
  if (type === 'request.size.invalid') return 'the request body is not as long as its Content-Length header says';
  return 'the request body could not be read: send UTF-8 JSON, with a Content-Length or chunked encoding that matches it';
}

/**
 * express.static's refusals of a /web file's conditional or range request keep their status (they were answered 400
 * saying the request body could not be read); body-parser never raises these two.
 */
const FILE_HEADERS = ['Content-Type', 'Content-Encoding', 'Content-Range', 'ETag', 'Last-Modified', 'Cache-Control', 'Accept-Ranges'];

function fileRefusal(error: unknown): { status: number; message: string; headers: Record<string, string> } | undefined {
  const { status, headers } = error as { status?: unknown; headers?: Record<string, unknown> };
  // Content-Range: bytes */<size>, so the client learns the file's length.
  const kept = Object.fromEntries(Object.entries(headers ?? {}).filter(([name, value]) => /^content-range$/i.test(name) && typeof value === 'string')) as Record<string, string>;
  if (status === 416) return { status, headers: kept, message: 'the Range header asks only for bytes beyond the end of the file; ask without Range, or within its length (Content-Range)' };
  if (status === 412) return { status, headers: {}, message: "the file no longer matches the request's If-Match or If-Unmodified-Since header; ask again without it" };
  return undefined;
}

const NO_OPERATION = 'the JSON request body holds no operation: send one such as {"query": "{ lake { liveVersion } }"} (JSON.stringify leaves out a query that is undefined)';
const JSON_TYPE = /^\s*application\/json\s*(?:;|$)/i;

/**
 * A POST typed as JSON whose body is empty or `{}` (JSON.stringify({ query: undefined })): Apollo refuses it with the
 * words it uses for a body of another type, which MESSAGES.bodyNotJson turns into 'send the header Content-Type:
 * application/json', the header this client sent. After the body parser, before the body is defaulted for Apollo.
 */
export const refuseEmptyJsonBody: RequestHandler = (req, res, next) => {
  if (req.method !== 'POST' || !JSON_TYPE.test(req.headers['content-type'] ?? '')) return next();
  const body: unknown = req.body;
  const empty = body === undefined || (typeof body === 'object' && body !== null && !Array.isArray(body) && Object.keys(body).length === 0);
  if (!empty) return next();
  sendError(res, ErrorCode.BAD_REQUEST, NO_OPERATION);
};

const NAN_IN_JSON =
  'the request body is not valid JSON: it holds NaN or Infinity, which JSON has no word for (Python\'s json.dumps and requests write a float("nan") so, a DataFrame\'s missing value): send null, or a number';

/**
 * A body that failed to parse and holds NaN, Infinity or -Infinity outside its strings: what Python's json.dumps (and
 * requests' json=) write for a float NaN. It was told "a cut-off body or a stray quote breaks it", neither of which it had.
 */
function holdsNaN(error: unknown): boolean {
  const body = (error as { body?: unknown }).body;
  if (typeof body !== 'string') return false;
  return /(?:^|[^\w$.])-?(?:NaN|Infinity)(?![\w$])/.test(body.replace(/"(?:[^"\\]|\\.)*"/g, '""'));
}

const NOT_AN_OBJECT = 'the request body must be a JSON object, such as {"query": "{ lake { liveVersion } }", "variables": {}}';

/** body-parser (strict) refused valid JSON that is not an object or array: null, a number, a string. */
function notAnObject(error: unknown): boolean {
  const body = (error as { body?: unknown }).body;
  if (typeof body !== 'string' || body.length > 1_000) return false;
  try {
    JSON.parse(body);
    return true;
  } catch {
    return false;
  }
}
