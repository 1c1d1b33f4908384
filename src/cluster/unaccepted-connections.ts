import type { Worker } from 'node:cluster';
import { Socket } from 'node:net';

/**
 * Connections the primary handed to a worker that had not taken them when it
 * died. Node's cluster accepts each connection in the primary, passes it to a
 * worker and closes its own copy only once the worker answers that it took
 * it; a worker killed in between never answers, so the connection stayed open
 * in the primary, unread and unanswered: its client hung (for ever, without a
 * timeout of its own) and the primary kept the descriptor. This watches the
 * cluster's hand-offs to one worker (its `newconn` messages and their `ack`s)
 * and, once that worker's channel has closed (every answer it sent is read),
 * gives back the connections it never took, paused and unread, so another
 * worker can serve them.
 */

/** Node's internal cluster messages (lib/internal/cluster): the hand-off of a connection and a worker's answer. */
interface ClusterMessage {
  cmd?: unknown;
  act?: unknown;
  seq?: unknown;
  ack?: unknown;
}

/** The primary's copy of an accepted connection: a libuv TCP handle, closed by the cluster once the worker took it. */
interface RawHandle {
  close(...args: unknown[]): unknown;
}

const isHandOff = (message: unknown): message is ClusterMessage & { seq: number } =>
  typeof message === 'object' && message !== null && (message as ClusterMessage).cmd === 'NODE_CLUSTER' && (message as ClusterMessage).act === 'newconn' && typeof (message as ClusterMessage).seq === 'number';

/** Watches `worker`'s hand-offs; `onOrphans` gets the connections it never took once its channel has closed (never for a worker that took them all). */
export function watchHandOffs(worker: Worker, onOrphans: (sockets: Socket[]) => void): void {
  const child = worker.process;
  const pending = new Map<number, RawHandle>();
  const send = child.send;
  // Node's cluster passes each connection with `worker.process.send(message, handle)`: the one place to see which worker holds which.
  child.send = function (this: typeof child, message: unknown, handle?: unknown, ...rest: unknown[]): boolean {
    if (isHandOff(message) && handle) {
      const raw = handle as RawHandle;
      const seq = message.seq;
      pending.set(seq, raw);
      const close = raw.close;
      // Closed by the cluster (taken, or the server closing): no longer this worker's to answer.
      raw.close = function (this: RawHandle, ...args: unknown[]) {
        pending.delete(seq);
        raw.close = close;
        return close.apply(this, args);
      };
    }
    return (send as (...args: unknown[]) => boolean).call(this, message, handle, ...rest);
  } as typeof child.send;
  // The worker's answer, taken or not (a worker closing its server declines, and the cluster passes the connection on).
  child.on('internalMessage', (message: ClusterMessage) => {
    if (message?.cmd === 'NODE_CLUSTER' && typeof message.ack === 'number') pending.delete(message.ack);
  });
  child.once('close', () => {
    if (pending.size === 0) return;
    const sockets = [...pending.values()].map((handle) => new Socket({ handle, readable: true, writable: true, pauseOnCreate: true } as ConstructorParameters<typeof Socket>[0]));
    pending.clear();
    onOrphans(sockets);
  });
}
