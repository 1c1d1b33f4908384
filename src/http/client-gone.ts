import type { RequestHandler, Response } from 'express';
import { whenClosed } from './response-closed';

/**
 * Whether the client of a request is still there to read its answer. A client that closed its socket while its
 * query ran (a notebook's Ctrl+C, a timeout, a script looping over heavy queries and closing each at once) left the
 * worker building the whole answer: 200 such requests of five 10,000-row pages kept a worker busy for 40 s after
 * the client stopped, another key's small query waiting up to 9 s. Work checks `gone` between its steps (engine
 * queries, page and edge turns, the key queue, the answer) and stops once it is aborted.
 *
 * The server keeps a half-closed connection open (server.ts: `nc -N` and some scripts send FIN, then read), so a
 * client's FIN says nothing by itself: a client that closed entirely sends FIN too. Once a FIN comes while the answer
 * is not begun, the server sends `102 Processing` (an interim answer every HTTP/1.1 client skips) every
 * GONE_PROBE_MS; the peer of a closed socket answers the first with a reset, the next write fails, the response
 * closes, and that aborts `gone`.
 */

/**
 * How often a half-closed connection waiting for its answer is sent `102 Processing`: the second send meets the reset.
 * A second, so a client that half-closes and reads sees an interim answer only before an answer that takes longer
 * (few do; Python's http.client would take one for the answer itself, but does not half-close).
 */
export const GONE_PROBE_MS = 1_000;

const signals = new WeakMap<Response, AbortSignal>();

/** Aborted once the response closes before it was all sent (the connection reset or destroyed). */
export const goneSignalOf = (res: Response): AbortSignal | undefined => signals.get(res);

export const watchClientGone: RequestHandler = (req, res, next) => {
  const controller = new AbortController();
  signals.set(res, controller.signal);
  const socket = req.socket;
  // An HTTP/1.0 client is never sent an interim answer (RFC 9110 §15.2): it is seen gone only as its connection resets.
  const probes = req.httpVersionMajor > 1 || (req.httpVersionMajor === 1 && req.httpVersionMinor >= 1);
  let probe: NodeJS.Timeout | undefined;
  const sendProbe = (): void => {
    // Only the answer being written on the connection; once it has begun, its own bytes meet the reset.
    if (res.headersSent || res.writableEnded || socket.destroyed) return stopProbing();
    if ((socket as { _httpMessage?: unknown })._httpMessage === res) res.writeProcessing();
  };
  const stopProbing = (): void => {
    clearInterval(probe);
    socket.off('end', onEnd);
  };
  // Not at once: an answer sent within the interval (most are) reaches a half-closed client without an interim one.
  const onEnd = (): void => {
    probe ??= setInterval(sendProbe, GONE_PROBE_MS);
    probe.unref();
  };
  if (probes && socket.readableEnded) onEnd();
  else if (probes) socket.once('end', onEnd);
  whenClosed(res, () => {
    stopProbing();
    if (!res.writableFinished) controller.abort();
  });
  next();
};
