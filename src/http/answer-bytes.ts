import { randomBytes } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { ColumnJson } from '../graphql/column-text';
import { returnPageBuffers } from '../graphql/page-buffers';
import { currentRequest } from './request-context';

/**
 * An answer whose JSON holds bytes read from disk (a prepared batch page's
 * columns, prepared-batch-page.ts) is sent as those bytes: Apollo hands the
 * express integration a string, so stringifyResult returns a token in its
 * place, kept on the request, and `res.send` of that very token writes the
 * pieces instead. A page of 10,000 training rows (640 kB) so never becomes a
 * JS string: written as one, it was copied three times on the heap and the
 * old generation's collections were most of the page's server time.
 * Anywhere without a request (an in-process execution), the answer is text.
 */

const NONCE = randomBytes(16).toString('hex');

/** The answer made of `parts` (the JSON in order): the token standing for its bytes when it holds bytes and a request will send it, else its text. */
export function answerOf(parts: readonly ColumnJson[]): string {
  const request = currentRequest();
  if (!request || parts.every((p) => typeof p === 'string')) return parts.map(textOf).join('');
  const token = `stedi-answer:${NONCE}:${request.requestId}`;
  request.answer = { token, parts: parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : p)) };
  return token;
}

const textOf = (p: ColumnJson): string => (typeof p === 'string' ? p : Buffer.from(p.buffer, p.byteOffset, p.byteLength).toString('utf8'));

/** Express middleware before Apollo: `res.send` of the request's answer token sends the answer's bytes. */
export function answerBytes(): RequestHandler {
  return (_req: Request, res: Response, next: NextFunction) => {
    const send = res.send.bind(res);
    res.send = (body?: unknown) => {
      const answer = currentRequest()?.answer;
      if (answer && body === answer.token) {
        currentRequest()!.answer = undefined;
        // Written piece by piece (one writev): the page's bytes are not copied into one buffer first.
        res.setHeader('Content-Length', answer.parts.reduce((n, p) => n + p.byteLength, 0));
        for (const part of answer.parts) res.write(part);
        res.end();
        // Once the answer is handed to the socket (or the connection is gone), the page's buffer is free again.
        res.once('close', () => returnPageBuffers(answer.parts));
        return res;
      }
      return send(body);
    };
    next();
  };
}
