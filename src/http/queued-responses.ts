import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/**
 * A response Node queues behind another on a pipelined connection (its request read while an earlier answer still
 * holds the connection) gets no `close` when that connection closes first: Node closes the response holding the
 * connection and destroys the requests, but leaves the queued responses as they are, open for good. Everything this
 * server runs once a response closes never ran for them: the process counted them as requests under way for ever, so it
 * never again collected its garbage while idle (a client that pipelined requests, read no answer and hung up left two
 * workers holding 1 GB of heap for as long as they ran), and they were neither logged nor counted in /metrics. Here
 * each is closed as Node closes the one holding the connection.
 */

/** The responses of each connection that are queued behind another, not yet given the connection. */
const queuedOn = new WeakMap<Socket, Set<ServerResponse>>();

/** As Node's own close of the response holding a connection (its emitCloseNT): once, marked destroyed and closed. */
function closeUnsent(res: ServerResponse): void {
  const closable = res as ServerResponse & { _closed?: boolean };
  if (closable._closed) return;
  closable.destroyed = true;
  closable._closed = true;
  res.emit('close');
}

/** The queued responses of `socket`, each closed when it closes. */
function watchClose(socket: Socket): Set<ServerResponse> {
  const queued = new Set<ServerResponse>();
  queuedOn.set(socket, queued);
  socket.once('close', () => {
    queuedOn.delete(socket);
    for (const res of queued) closeUnsent(res);
  });
  return queued;
}

/** Closes the responses still queued on a connection when it closes. */
export function closeQueuedResponses(server: Server): Server {
  server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
    // Given the connection at once: Node closes it with the connection.
    if (res.socket) return;
    const socket = req.socket;
    const queued = queuedOn.get(socket) ?? watchClose(socket);
    queued.add(res);
    // Given the connection later: from then on it is Node's to close.
    res.once('socket', () => queued.delete(res));
  });
  return server;
}
