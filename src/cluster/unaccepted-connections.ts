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
 *
 * A live worker can miss one too: at its open-file limit (exports' files under
 * a low `ulimit -n`) it cannot receive the connection's descriptor, and says so
 * (NODE_HANDLE_NACK). For a connection the cluster passes, Node then does
 * nothing: no retry, no close, and no answer for the cluster, which hands that
 * worker no other connection until it has one. Once every worker had missed
 * one, the server took connections and answered none, for ever. Here each miss
 * is answered for the worker: the connection goes to another worker (or the
 * same one later), and after MISSES_BEFORE_CLOSE misses it is closed.
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

/** How often one connection may miss a worker before it is closed (its client sees the connection close, and may retry). */
export const MISSES_BEFORE_CLOSE = 3;

/** A connection that could not reach its worker: handed on to another (`closed` false), or closed after too many misses. */
export interface MissedHandOff {
  closed: boolean;
}

/** What a ChildProcess holds to pass handles: its writer, and the queue it keeps while a handle awaits its ACK (lib/internal/child_process). */
interface HandleChannel {
  _send?: (message: unknown, handle?: unknown, ...rest: unknown[]) => unknown;
  _handleQueue?: unknown[] | null;
  /** A handle Node itself sends again on a NACK (a net.Socket's): never one the cluster passes, on Node 20 to 24. */
  _pendingMessage?: unknown;
}

const isHandOff = (message: unknown): message is ClusterMessage & { seq: number } =>
  typeof message === 'object' && message !== null && (message as ClusterMessage).cmd === 'NODE_CLUSTER' && (message as ClusterMessage).act === 'newconn' && typeof (message as ClusterMessage).seq === 'number';

/**
 * Watches `worker`'s hand-offs; `onOrphans` gets the connections it never took once its channel has closed (never for a
 * worker that took them all); `onMissed` is told of each connection it could not receive.
 */
export function watchHandOffs(worker: Worker, onOrphans: (sockets: Socket[]) => void, onMissed?: (missed: MissedHandOff) => void): void {
  const child = worker.process;
  const pending = new Map<number, RawHandle>();
  watchMisses(worker, pending, onMissed);
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

// Private: how often each connection missed a worker, kept with the connection's handle.
const misses = new WeakMap<object, number>();

/**
 * Answers for `worker` each hand-off it could not receive. Node writes one handle at a time and queues the rest until
 * the worker's ACK or NACK: the handle written when no queue stood is the one the next ACK or NACK is about.
 */
function watchMisses(worker: Worker, pending: Map<number, RawHandle>, onMissed?: (missed: MissedHandOff) => void): void {
  const child = worker.process as typeof worker.process & HandleChannel;
  const write = child._send;
  if (typeof write !== 'function') return;
  let awaiting: { seq: number; handle: RawHandle } | { seq?: undefined } | null = null;
  child._send = function (this: HandleChannel, message: unknown, handle?: unknown, ...rest: unknown[]) {
    const written = Boolean(handle) && !this._handleQueue;
    const result = write.call(this, message, handle, ...rest);
    // A handle written starts the queue; one queued is passed here again when the queue is let go.
    if (written && this._handleQueue) awaiting = isHandOff(message) ? { seq: message.seq, handle: handle as RawHandle } : {};
    return result;
  };
  // Before Node's own listener, which lets the queue go (writing the next handle) on either answer.
  child.prependListener('internalMessage', (message: { cmd?: unknown }) => {
    if (message?.cmd !== 'NODE_HANDLE_ACK' && message?.cmd !== 'NODE_HANDLE_NACK') return;
    const answered = awaiting;
    awaiting = null;
    if (message.cmd === 'NODE_HANDLE_ACK' || answered?.seq === undefined || child._pendingMessage) return;
    const { seq, handle } = answered;
    pending.delete(seq);
    const count = (misses.get(handle) ?? 0) + 1;
    misses.set(handle, count);
    const closed = count >= MISSES_BEFORE_CLOSE;
    // The worker's answer as the cluster waits for it: not taken goes to another worker; taken, the cluster closes its copy.
    process.nextTick(() => child.emit('internalMessage', { cmd: 'NODE_CLUSTER', ack: seq, accepted: closed }));
    onMissed?.({ closed });
  });
}
