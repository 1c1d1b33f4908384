import type { IncomingMessage } from 'node:http';

/**
 * How deep a request body's JSON may nest. No request needs more than a few levels (a query's variables, an input
 * object, APQ's extensions), but V8's JSON.parse and graphql-js's coercion slow down on deep nesting: a 600 KB body
 * of 300,000 nested lists took 7-10 s of a worker's main thread (even as a variable the operation does not declare).
 * The bytes are counted before the parser runs, in one pass.
 */
export const MAX_BODY_DEPTH = 32;

export const TOO_DEEP_BODY = `the request body's JSON nests deeper than ${MAX_BODY_DEPTH} levels of objects and lists, deeper than any request needs; send variables as the flat input objects the schema declares`;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const OPEN_LIST = 0x5b;
const CLOSE_OBJECT = 0x7d;
const CLOSE_LIST = 0x5d;

/** body-parser's `verify`: refuses a body nesting deeper than MAX_BODY_DEPTH (brackets inside strings do not count). */
export function requireShallowJson(_req: IncomingMessage, _res: unknown, body: Buffer): void {
  let depth = 0;
  for (let i = 0; i < body.length; i += 1) {
    const byte = body[i];
    if (byte === QUOTE) i = stringEnd(body, i);
    else if (byte === OPEN_OBJECT || byte === OPEN_LIST) {
      depth += 1;
      if (depth > MAX_BODY_DEPTH) throw Object.assign(new Error(TOO_DEEP_BODY), { status: 400, type: 'entity.too.deep' });
    } else if (byte === CLOSE_OBJECT || byte === CLOSE_LIST) depth -= 1;
  }
}

/**
 * Where the string opened at `open` ends: the next quote after an even run of backslashes (body.length when none).
 * Found by Buffer.indexOf: nearly all of a GraphQL body is its query string, and reading it a byte at a time in
 * JavaScript cost 0.1-0.2 ms of the main thread for a 30 KB document, a hostile client's usual size.
 */
function stringEnd(body: Buffer, open: number): number {
  for (let at = body.indexOf(QUOTE, open + 1); at >= 0; at = body.indexOf(QUOTE, at + 1)) {
    let backslashes = 0;
    // The opening quote stops the run: no backslash before it counts.
    while (body[at - 1 - backslashes] === BACKSLASH) backslashes += 1;
    if (backslashes % 2 === 0) return at;
  }
  return body.length;
}
