import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { PARSER_HEADER_BYTES } from './header-size';
import { refuseOnSocket } from './client-errors';
import { whenClosed } from './response-closed';

/**
 * Bytes of unfinished requests (headers still arriving) a server process holds at most. Node's parser keeps each
 * connection's unfinished headers, up to PARSER_HEADER_BYTES, for as long as headersTimeout (66 s): 10,000 connections
 * dripping 31 KB of headers each grew one process by 685 MB (its connection cap, about 19,000, would hold 1.3 GB).
 * Once the connections open could hold more than the budget, every quarter second the bytes each connection read
 * since its last answer without making a request are summed; over the budget, the connections holding most whose
 * headers have been arriving for a second are answered 408 and closed (past twice the budget, however new). An HTTP
 * client sends its headers at once, and is never among them.
 */

export const REFUSED_SLOW_HEADERS =
  "the request's headers were still arriving after a second while the server held too many unfinished requests; send a request's headers at once (an HTTP client library does), then retry";

const SWEEP_MS = 250;
/** Headers arriving for longer are a slow sender's: an HTTP client's arrive in milliseconds. */
const SLOW_MS = 1_000;

interface Unfinished {
  /** Requests of this connection begun and not yet answered (pipelined ones are several). */
  requests: number;
  /** socket.bytesRead when its last answer ended: what it read since is its next request's. */
  base: number;
  /** When a sweep first saw its next request's bytes pending (undefined: none were at the last sweep). */
  pendingSince: number | undefined;
}

/** Watches `server`'s connections and refuses the slowest senders of headers past `budgetBytes` (0: no budget). */
export function limitUnfinishedHeaders(server: Server, budgetBytes: number, onRefused: (count: number) => void = () => undefined): void {
  if (budgetBytes <= 0) return;
  const connections = new Map<Socket, Unfinished>();
  let timer: NodeJS.Timeout | undefined;
  const sweep = (): void => {
    const now = performance.now();
    const candidates: { socket: Socket; pending: number; slow: boolean }[] = [];
    let total = 0;
    for (const [socket, state] of connections) {
      const pending = state.requests > 0 ? 0 : Math.min(socket.bytesRead - state.base, PARSER_HEADER_BYTES);
      total += pending;
      if (pending === 0) state.pendingSince = undefined;
      else candidates.push({ socket, pending, slow: now - (state.pendingSince ??= now) >= SLOW_MS });
    }
    if (total <= budgetBytes) return;
    // Far over the budget, headers sent fast then held are refused too, or they would hold it for their first second.
    const anyAge = total > 2 * budgetBytes;
    candidates.sort((a, b) => b.pending - a.pending);
    let refused = 0;
    for (const { socket, pending, slow } of candidates) {
      if (total <= budgetBytes) break;
      if (!slow && !anyAge) continue;
      total -= pending;
      connections.delete(socket);
      refuseOnSocket(socket, { status: 408, reason: 'Request Timeout', message: REFUSED_SLOW_HEADERS });
      refused += 1;
    }
    if (refused > 0) onRefused(refused);
  };
  // Below this many connections even full headers on each stay within the budget: no sweep is needed.
  const watchedFrom = Math.floor(budgetBytes / PARSER_HEADER_BYTES);
  const watch = (): void => {
    if (connections.size > watchedFrom && !timer) (timer = setInterval(sweep, SWEEP_MS)).unref();
    else if (connections.size <= watchedFrom && timer) timer = void clearInterval(timer);
  };
  server.on('connection', (socket: Socket) => {
    connections.set(socket, { requests: 0, base: socket.bytesRead, pendingSince: undefined });
    socket.once('close', () => {
      connections.delete(socket);
      watch();
    });
    watch();
  });
  server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
    const state = connections.get(req.socket);
    if (!state) return;
    state.requests += 1;
    state.pendingSince = undefined;
    whenClosed(res, () => {
      state.requests -= 1;
      if (state.requests === 0) state.base = req.socket.bytesRead;
    });
  });
  server.once('close', () => timer && clearInterval(timer));
}
