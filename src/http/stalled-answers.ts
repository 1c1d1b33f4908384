import type { Socket } from 'node:net';
import type { RequestHandler } from 'express';
import { requestLogOf } from './request-context';

/**
 * An answer the client stops reading is cut once its bytes stop moving for the stall limit, as an export is
 * (export.ts): a 10,000-row page is about 1.5 MB, and a client that sent one request on each of 600 connections and
 * read nothing had the server hold every answer (1 GB of socket buffers on loopback; on a network the rest stays in
 * the worker's heap) for as long as it liked. Watched only from the moment the whole answer is handed to the
 * connection with some of it still queued (`prefinish`), so a query that runs long is never cut for it.
 */
export function cutStalledAnswers(stallMs: number): RequestHandler {
  return (_req, res, next) => {
    res.once('prefinish', () => {
      const socket = res.socket;
      if (!socket || socket.writableLength === 0) return;
      const stop = watchStall(socket, stallMs, () => {
        requestLogOf(res).info({ stallMs, unsent: socket.writableLength }, 'answer cut: the client read nothing for the stall limit');
        socket.destroy();
      });
      res.once('close', stop);
    });
    next();
  };
}

/**
 * Calls `onStall` once the socket's client has taken no byte for `stallMs`; returns what stops the watch. Timed by
 * the bytes taken, not socket.setTimeout: Node lets its timeout pass once more while the write queue changed since
 * it was set, so a stalled reader was cut after about twice the limit.
 */
export function watchStall(socket: Socket, stallMs: number, onStall: () => void): () => void {
  let taken = bytesTaken(socket);
  // Monotonic: a wall clock stepped forward (NTP, a laptop waking) cut an answer whose client paused for a moment then.
  let movedAt = performance.now();
  const watch = setInterval(
    () => {
      if (bytesTaken(socket) !== taken) {
        taken = bytesTaken(socket);
        movedAt = performance.now();
      } else if (performance.now() - movedAt >= stallMs) {
        clearInterval(watch);
        onStall();
      }
    },
    Math.min(1_000, Math.max(10, stallMs / 10)),
  );
  watch.unref();
  return () => clearInterval(watch);
}

/**
 * The bytes the kernel took from the socket so far. socket.bytesWritten counts a write once it is handed to the
 * socket, so it stays still while a client reads an answer written at once: a slow reader still reading was cut.
 * What libuv still holds of it (its write queue, not public API) shrinks as the client reads.
 */
export function bytesTaken(socket: Socket): number {
  const queued = (socket as unknown as { _handle?: { writeQueueSize?: number } | null })._handle?.writeQueueSize;
  return socket.bytesWritten - (typeof queued === 'number' ? queued : 0);
}
