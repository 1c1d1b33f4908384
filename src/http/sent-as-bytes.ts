import { randomBytes } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { giveBack } from '../byte-pool';
import { currentRequest } from './request-context';
import { whenFinished } from './response-closed';

/**
 * An answer made as bytes (a bulk page whose edges were written as bytes,
 * raw-json.ts; a batch page cut from prepared column text, whose lists are
 * bytes read from disk, prepared-batch-page.ts) reaches the response as they
 * are, in one buffer of the byte pool: Apollo's stringifyResult
 * must return a string, so it returns a token that stands for the bytes of
 * the request it serves, and the response's send (wrapped here) sends the
 * bytes in the token's place. Making a megabyte page a string and encoding
 * it back to UTF-8 (Express's send) cost more main-thread time than the rest
 * of the request. The token is only ever the string this request's
 * stringifyResult returned: no other text can be taken for it (a random
 * per-process nonce), and anything else is sent as it is.
 */

const NONCE = randomBytes(16).toString('hex');
let counter = 0;

interface Pending {
  token: string;
  bytes: Buffer;
}

const pending = new WeakMap<object, Pending>();

/** A token standing for `bytes` in the current request's send; undefined outside a request (the caller writes a string). */
export function bytesAnswerToken(bytes: Buffer): string | undefined {
  const request = currentRequest();
  if (!request) return undefined;
  counter = (counter + 1) % Number.MAX_SAFE_INTEGER;
  const token = `stedi-sent-as-bytes:${NONCE}:${counter}`;
  pending.set(request, { token, bytes });
  return token;
}

/** Wraps the response's send so the token of its request's answer is sent as that answer's bytes. */
export const sentAsBytes: RequestHandler = (_req: Request, res: Response, next: NextFunction) => {
  const send = res.send;
  res.send = function sendAnswer(this: Response, body?: unknown) {
    const request = currentRequest();
    const held = request && pending.get(request);
    if (held === undefined || body !== held.token) return send.call(this, body);
    pending.delete(request!);
    // Express writes a string as UTF-8 with this charset; the bytes are that UTF-8 already.
    const type = this.get('Content-Type');
    if (typeof type === 'string' && !/;\s*charset=utf-8$/i.test(type)) return send.call(this, held.bytes.toString('utf8'));
    // Once handed to the system ('finish'), the bytes' memory can hold another answer; not if the response was cut short.
    whenFinished(this, () => giveBack(held.bytes));
    return send.call(this, held.bytes);
  };
  next();
};
