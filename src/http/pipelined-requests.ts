import type { Socket } from 'node:net';
import type { RequestHandler } from 'express';

/**
 * HTTP/1.1 pipelining: Node hands the app every request a client sent ahead on one connection as soon as it reads
 * them, while their answers can only go out one after another. A client that sent 500 page queries in one write
 * (165 KB) and read nothing had them all made and held at once: ~900 MB of answers from one connection. Here each
 * request waits for the one before it on its connection to be answered or cut, as its answer would wait anyway.
 */

/** The last request of each connection still being answered: settled once its response closes. */
const lastOnConnection = new WeakMap<Socket, Promise<void>>();

export const onePerConnection: RequestHandler = (req, res, next) => {
  const socket = req.socket;
  const before = lastOnConnection.get(socket);
  const answered = new Promise<void>((resolve) =>
    res.once('close', () => {
      if (lastOnConnection.get(socket) === answered) lastOnConnection.delete(socket);
      resolve();
    }),
  );
  lastOnConnection.set(socket, answered);
  if (!before) return next();
  // A connection gone meanwhile (its response closed with it) is answered by no one.
  void before.then(() => {
    if (!socket.destroyed) next();
  });
};
