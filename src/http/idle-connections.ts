import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { whenClosed } from './response-closed';

/** A connection idle at least this long may be closed for a new one: an HTTP client's pause between its requests is shorter. */
export const EVICTABLE_AFTER_MS = 1_000;

/**
 * The connections of a server with no request under way, oldest idle first, so that at the connection cap
 * (STEDI_MAX_CONNECTIONS) the longest idle one is closed to admit a new one. A client that opened the cap's worth of
 * connections and sent nothing on them (19,000 on one process) held them all: Node times out no connection before its
 * first byte, and every other client's connection was closed as it arrived, for as long as that client kept them.
 */
export class IdleConnections {
  /** Since when each idle connection is idle; a Map keeps insertion order, so the first is the oldest. */
  private readonly idle = new Map<Socket, number>();
  private readonly requests = new Map<Socket, number>();

  constructor(server: Server) {
    server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
      const socket = req.socket;
      this.idle.delete(socket);
      this.requests.set(socket, (this.requests.get(socket) ?? 0) + 1);
      whenClosed(res, () => {
        const left = (this.requests.get(socket) ?? 1) - 1;
        if (left > 0) return void this.requests.set(socket, left);
        this.requests.delete(socket);
        if (!socket.destroyed) this.idle.set(socket, performance.now());
      });
    });
  }

  /** A connection taken: idle until its first request. */
  add(socket: Socket): void {
    this.idle.set(socket, performance.now());
    socket.once('close', () => {
      this.idle.delete(socket);
      this.requests.delete(socket);
    });
  }

  /** Closes the connection idle longest, if it has been for EVICTABLE_AFTER_MS; whether one was. */
  closeOldest(): boolean {
    const oldest = this.idle.entries().next();
    if (oldest.done || performance.now() - oldest.value[1] < EVICTABLE_AFTER_MS) return false;
    this.idle.delete(oldest.value[0]);
    oldest.value[0].destroy();
    return true;
  }
}
