import type { Server } from 'node:http';
import type { Request, RequestHandler, Response } from 'express';
import { ErrorCode } from '../errors';
import { bodyLimitBytes } from '../config-values';
import { bodyLimitMessage } from './body-errors';
import { sendError } from './http-errors';
import { principalOf } from './request-context';
import { whenClosed, whenFinished } from './response-closed';

/**
 * When a request body may come in, and how much of it. Node answers `Expect: 100-continue` itself, before any
 * check, so a client without a key was invited to send its body; body-parser reads a body over the limit to its end
 * before its 413; and Node reads to its end the body of any request answered without reading it (a 401, /healthz),
 * to keep the connection alive: a declared 4 GB was read, seconds of a worker's CPU, without a key. Here the
 * invitation is sent only once the key and the declared size pass, a body over the limit is refused as soon as that
 * is known, and what is left of a body unread when its answer is sent is read only up to a bound.
 */

/** How much of a body left unread by its answer is read and dropped, and for how long, before the connection is cut. */
export const DROPPED_BODY_BYTES = 4 << 20;
export const DROPPED_BODY_MS = 2_000;
/** How often the dropped bytes are counted: on loopback a client sends about 4 MB in 5 ms. */
const DROPPED_BODY_POLL_MS = 5;

const declaresBody = (req: Request): boolean => Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;

// As Node reads Expect before it emits checkContinue (100-continue among other words): any request it held for us is invited.
const EXPECTS_CONTINUE = /(?:^|\W)100-continue(?:$|\W)/i;

/**
 * Requests with `Expect: 100-continue` go to the app like any other: admitBody invites the body once checked. So do
 * those expecting anything else, which refuseUnmetExpectation answers: Node's own 417 had an empty body and no code.
 */
export function answerExpectAfterChecks(server: Server): Server {
  server.on('checkContinue', (req, res) => server.emit('request', req, res));
  server.on('checkExpectation', (req, res) => server.emit('request', req, res));
  return server;
}

/** 417 for an HTTP/1.1 Expect without 100-continue (as Node decides), in the JSON shape, logged and counted as any request. */
export const refuseUnmetExpectation: RequestHandler = (req, res, next) => {
  const expectation = req.headers.expect;
  if (expectation === undefined || req.httpVersion !== '1.1' || EXPECTS_CONTINUE.test(expectation)) return next();
  // The client's own words are not repeated: an Expect header may be up to the header limit long.
  sendError(res, ErrorCode.BAD_USER_INPUT, 'the Expect header asks for what this server does not do: send the request without it, or with Expect: 100-continue', 417);
};

/** 413 at once: what is left of the body is read only up to a bound (boundUnreadBody). */
function refuse(res: Response, limit: string): void {
  // A chunked body over the limit is of unknown length, and usually longer than the bound: its connection closes.
  if (res.req.headers['transfer-encoding'] !== undefined) res.setHeader('Connection', 'close');
  sendError(res, ErrorCode.BAD_USER_INPUT, bodyLimitMessage(limit), 413);
}

/**
 * After authentication, before the body parser: refuses a declared Content-Length over the limit at once, and a
 * chunked body as soon as it grows past it; otherwise sends the `100 Continue` a client waiting for it needs.
 * The limit applies to the bytes sent, compressed or not (the body parser applies it again once decoded).
 */
export function admitBody(limit: string): RequestHandler {
  const max = bodyLimitBytes(limit);
  return (req, res, next) => {
    // Node refused a malformed or repeated Content-Length before the app saw the request.
    const declared = req.headers['content-length'];
    if (declared !== undefined && Number(declared) > max) return refuse(res, limit);
    if (req.headers['transfer-encoding'] !== undefined) {
      let received = 0;
      const count = (chunk: Buffer): void => {
        received += chunk.length;
        if (received <= max) return;
        req.off('data', count);
        if (!res.headersSent) refuse(res, limit);
      };
      // Attached in the same turn as the body parser's own listener, before the stream flows: no chunk is missed.
      req.on('data', count);
    }
    if (req.httpVersion === '1.1' && EXPECTS_CONTINUE.test(req.headers.expect ?? '')) res.writeContinue();
    next();
  };
}

/**
 * After authentication: how many request bodies one API key may have arriving at once (`places`: the requests for data
 * it may have running and waiting, STEDI_KEY_CONCURRENCY + STEDI_KEY_QUEUE; 0, none counted). Each body is held in
 * memory as it arrives, up to the body limit, before any limit on the request itself: one key dripping 600 bodies of
 * 900 KB on 600 connections held 330 MB of a worker. One past them is refused 429 RATE_LIMITED at once, unread.
 */
export function limitArrivingBodies(places: number, onRefused: () => void = () => undefined): RequestHandler {
  const arriving = new Map<string, number>();
  return (req, res, next) => {
    const keyId = principalOf(res)?.keyId;
    if (places === 0 || !keyId || req.complete || !declaresBody(req)) return next();
    const now = arriving.get(keyId) ?? 0;
    if (now >= places) {
      onRefused();
      res.setHeader('Retry-After', '1');
      sendError(res, ErrorCode.RATE_LIMITED, `this API key already has ${places} request bodies arriving in this server process (STEDI_KEY_CONCURRENCY and STEDI_KEY_QUEUE): send each body whole, and no more requests at once, or retry after 1 s`);
      return;
    }
    arriving.set(keyId, now + 1);
    let left = false;
    const leave = (): void => {
      if (left) return;
      left = true;
      const after = arriving.get(keyId)! - 1;
      if (after > 0) arriving.set(keyId, after);
      else arriving.delete(keyId);
    };
    // Its body read whole, or the request over (answered, or its client gone): whichever comes first.
    req.once('end', leave);
    whenClosed(res, leave);
    next();
  };
}

/**
 * First in the app: once an answer is sent before its request's body was read to the end, the rest is read and
 * dropped up to a bound, so a client still sending sees the answer rather than a reset (closing at once lost it for
 * curl and fetch), and then the connection is cut. A body the app never reads (over the body limit) that is longer
 * than the bound has its connection cut for certain: its answer says `Connection: close`, so a keep-alive client
 * sends its next request on a new connection instead of having it reset on this one.
 */
export function boundUnreadBody(limit: string): RequestHandler {
  const cutAbove = Math.max(DROPPED_BODY_BYTES, bodyLimitBytes(limit));
  return (req, res, next) => {
    if (!declaresBody(req)) return next();
    if (Number(req.headers['content-length'] ?? 0) > cutAbove) res.setHeader('Connection', 'close');
    whenFinished(res, () => req.complete || dropRestOfBody(req, res));
    next();
  };
}

function dropRestOfBody(req: Request, res: Response): void {
  const { socket } = req;
  // An answer with `Connection: close` has Node destroy the socket as soon as the answer is sent (net's destroySoon),
  // with the body still arriving: a reset that lost the answer for a client still sending. The write side is closed
  // (the client sees the end after the answer); the socket itself is closed here, once the rest is read or the bound hit.
  const closing = /\bclose\b/i.test(String(res.getHeader('connection') ?? ''));
  if (closing) socket.removeListener('finish', socket.destroy);
  // Polled from the socket's count: a 'data' listener on it takes it from Node's parser, and once the parser had paused
  // it for a body nobody read, it never read again: the rest of any body over ~64 KB stalled, and the next request on
  // the connection (a retry with the right key) waited for the cut.
  const start = socket.bytesRead;
  // On the monotonic clock: a wall clock stepped back (NTP) kept a trickling client's connection for the step.
  const deadline = performance.now() + DROPPED_BODY_MS;
  const watch = setInterval(() => {
    if (socket.bytesRead - start > DROPPED_BODY_BYTES || performance.now() >= deadline) socket.destroy();
  }, DROPPED_BODY_POLL_MS);
  watch.unref();
  // Both listeners go: a connection sending many such bodies must not gather one per request.
  const done = (): void => {
    clearInterval(watch);
    req.off('end', done);
    socket.off('close', done);
    if (closing) socket.destroy();
  };
  req.once('end', done);
  socket.once('close', done);
}
