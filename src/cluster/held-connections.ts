import type { Worker } from 'node:cluster';
import { createServer, type Server, type Socket } from 'node:net';

/**
 * The cluster's port while no worker listens (the one worker of an idle
 * cluster with spare workers, killed): Node's cluster closes its shared
 * socket with the last worker, so clients would be refused until the
 * replacement listens (2–5 s of start-up under load). The primary listens on
 * the port itself meanwhile, reads nothing, and hands each connection it
 * accepted to the replacement once that one listens; the port is given back
 * just before the replacement binds it (`release`), so only connections in
 * that instant are refused.
 */

/** Tries while the cluster's own socket, closed with the last worker, may still hold the port. */
const BIND_TRIES = 20;
const BIND_RETRY_MS = 10;

export class HeldConnections {
  private server: Server | undefined;
  private binding: Promise<void> | undefined;
  private sockets = new Set<Socket>();
  // Private: connections sent to a worker that has not said it took them, by worker then id; the primary's copy stays open until it does.
  private readonly handed = new Map<Worker, Map<number, Socket>>();
  private nextId = 0;

  constructor(
    private readonly port: number,
    private readonly host: string,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Starts listening on the port (a no-op while it does); connections wait unread. Resolves once it listens (true), or could not (false). */
  async hold(): Promise<boolean> {
    if (this.server) return (await this.binding, this.server?.listening ?? false);
    const server = createServer({ pauseOnConnect: true }, (socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
      socket.on('error', () => undefined);
    });
    this.server = server;
    this.binding = (async () => {
      for (let attempt = 1; ; attempt += 1) {
        try {
          await new Promise<void>((resolve, reject) => {
            server.once('error', reject);
            server.listen(this.port, this.host, () => {
              server.off('error', reject);
              resolve();
            });
          });
          return;
        } catch (error) {
          if (this.server !== server) return;
          if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= BIND_TRIES) {
            this.server = undefined;
            return this.onError(error);
          }
          await new Promise((r) => setTimeout(r, BIND_RETRY_MS));
        }
      }
    })();
    await this.binding;
    return this.server === server && server.listening;
  }

  /** Gives the port back (a worker is about to bind it); the connections held stay open. */
  async release(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await this.binding;
    if (!server.listening) return;
    // close()'s callback waits for the held connections; the port is free once the listening handle has closed.
    await new Promise<void>((resolve) => {
      server.close();
      setImmediate(resolve);
    });
  }

  /** Keeps connections accepted elsewhere (one a dead worker never took: unaccepted-connections.ts) until `handTo`. */
  adopt(sockets: Socket[]): void {
    for (const socket of sockets) {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
      socket.on('error', () => undefined);
    }
  }

  /**
   * Hands every connection held to `worker` (which listens now); returns how many. The primary keeps its copy
   * until the worker answers `took` with the connection's id: a worker killed first (it may have died before the
   * primary saw its exit) would otherwise take the connection with it, its client hanging for ever.
   */
  handTo(worker: Worker): number {
    const sockets = [...this.sockets];
    this.sockets.clear();
    let handed = this.handed.get(worker);
    if (!handed) this.handed.set(worker, (handed = new Map()));
    for (const socket of sockets) {
      const id = (this.nextId += 1);
      handed.set(id, socket);
      worker.send({ stedi: 'connection', id }, socket, { keepOpen: true });
    }
    return sockets.length;
  }

  /** `worker` serves connection `id` now: the primary's copy (paused, never read) is closed, the worker's stays open. */
  taken(worker: Worker, id: number): void {
    const socket = this.handed.get(worker)?.get(id);
    if (!socket) return;
    this.handed.get(worker)!.delete(id);
    socket.destroy();
  }

  /** The connections handed to `worker`, gone now (its channel closed), that it never took: still open and unread, for another worker. */
  reclaim(worker: Worker): Socket[] {
    const sockets = [...(this.handed.get(worker)?.values() ?? [])];
    this.handed.delete(worker);
    return sockets;
  }

  /** Stops listening and closes what it holds (shutdown). */
  close(): void {
    this.server?.close();
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    for (const handed of this.handed.values()) for (const socket of handed.values()) socket.destroy();
    this.handed.clear();
  }
}
