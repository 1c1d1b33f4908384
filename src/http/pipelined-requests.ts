import type { Socket } from 'node:net';
import type { RequestHandler } from 'express';
import { whenClosed } from './response-closed';

/**
 * HTTP/1.1 pipelining: Node hands the app every request a client sent ahead on one connection as soon as it reads
 * them, while their answers can only go out one after another. A client that sent 500 page queries in one write
 * (165 KB) and read nothing had them all made and held at once: ~900 MB of answers from one connection. Here each
 * request waits for the one before it on its connection to be answered or cut, as its answer would wait anyway, and
 * while MAX_WAITING wait the connection is not read: a client writing 200,000 pipelined /healthz (7 MB) and reading no
 * answer had them all read and waiting, 860 MB of one process.
 */

/** Requests one connection may have read and waiting; past it, reading stops until half of them are answered. */
export const MAX_WAITING = 32;

/** The last request of each connection still being answered: settled once its response closes. */
const lastOnConnection = new WeakMap<Socket, Promise<void>>();
/** Requests waiting on each connection. */
const waiting = new WeakMap<Socket, number>();

type Handle = { reading?: boolean; readStart?(): number; readStop?(): number };
const handleOf = (socket: Socket): Handle | undefined => (socket as Socket & { _handle?: Handle | null })._handle ?? undefined;

// At the handle, as Node's server itself pauses a connection: socket.pause() would be undone by Node's server each
// time an answer goes out (it resumes a connection it paused once its queued answers hold less than 16 KiB).
function stopReading(socket: Socket): void {
  const handle = handleOf(socket);
  if (!handle?.reading || typeof handle.readStop !== 'function') return;
  handle.reading = false;
  handle.readStop();
}

// Not while Node's server has paused it (its answers back up): it starts reading again itself once they drain.
function readAgain(socket: Socket): void {
  const handle = handleOf(socket);
  if (!handle || handle.reading || socket.destroyed || socket.isPaused() || typeof handle.readStart !== 'function') return;
  handle.reading = true;
  handle.readStart();
}

export const onePerConnection: RequestHandler = (req, res, next) => {
  const socket = req.socket;
  const before = lastOnConnection.get(socket);
  const answered = new Promise<void>((resolve) =>
    whenClosed(res, () => {
      if (lastOnConnection.get(socket) === answered) lastOnConnection.delete(socket);
      resolve();
    }),
  );
  lastOnConnection.set(socket, answered);
  if (!before) return next();
  const queued = (waiting.get(socket) ?? 0) + 1;
  waiting.set(socket, queued);
  if (queued >= MAX_WAITING) stopReading(socket);
  // A connection gone meanwhile (its response closed with it) is answered by no one. Run after the other connections'
  // I/O (setImmediate), not in the answer's own tick: 200,000 tiny requests pipelined on one connection ran back to back
  // and another client's /healthz waited 3 s (p50; 48 s at worst).
  void before.then(() =>
    setImmediate(() => {
      const left = (waiting.get(socket) ?? 1) - 1;
      waiting.set(socket, left);
      if (left === MAX_WAITING / 2) readAgain(socket);
      if (!socket.destroyed) next();
    }),
  );
};
