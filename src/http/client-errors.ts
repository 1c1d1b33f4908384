import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { ErrorCode } from '../errors';
import { DROPPED_BODY_BYTES, DROPPED_BODY_MS } from './body-admission';
import { TOO_LARGE_HEADERS } from './header-size';
import { ANY_ROUTE } from './route-methods';

/**
 * Requests Node's HTTP parser refuses before the app sees them: a URL and headers over the parser's limit (32 KiB; a GET
 * with a long query), a malformed request line or header, headers that take too long. Node answered with a bare
 * status line and no body; here the answer has the JSON error every other refusal has (errors[0].extensions.code),
 * `Connection: close`, and the connection is then closed once the answer is sent, what is left of the request read
 * and dropped up to the same bound as an unread body's, so a client still sending sees the answer, not a reset.
 * A CONNECT (a tunnel through a proxy, which this is not) gets a 405 the same way.
 */

interface ParserError extends Error {
  code?: string;
}

const REFUSALS: Record<string, { status: number; reason: string; message: string }> = {
  HPE_HEADER_OVERFLOW: {
    status: 431,
    reason: 'Request Header Fields Too Large',
    // Past PARSER_HEADER_BYTES (header-size.ts refuses from 16 KiB, in the app). Node 22+'s parser also refuses this way
    // a request of more headers than it reads (Node 20 dropped them: header-count.ts).
    message: TOO_LARGE_HEADERS,
  },
  HPE_CHUNK_EXTENSIONS_OVERFLOW: {
    status: 413,
    reason: 'Payload Too Large',
    message: "the request body's chunk extensions are larger than the server accepts; send the body without chunk extensions",
  },
  ERR_HTTP_REQUEST_TIMEOUT: {
    status: 408,
    reason: 'Request Timeout',
    message: 'the request did not arrive in full in time; send its headers and body without pausing',
  },
};

const MALFORMED = {
  status: 400,
  reason: 'Bad Request',
  message: 'the request is not valid HTTP/1.1 (its request line, a header or its body framing is malformed); send it with an HTTP client library',
};

/** The answer's bytes: a status line, headers, and the JSON error body (no client text in it). */
export function clientErrorAnswer(error: ParserError): string {
  return rawAnswer(REFUSALS[error.code ?? ''] ?? MALFORMED);
}

// CONNECT asks a proxy for a tunnel: Node closed the connection without a word when no 'connect' listener took it.
// 405 with the methods the server takes, as any other method no route takes (route-methods.ts): a 501 was a 5xx for a
// client's mistake.
const CONNECT = { status: 405, reason: 'Method Not Allowed', message: 'CONNECT is not served: this server is not a proxy; send GET or POST to /graphql', allow: ANY_ROUTE };

// nosniff as every answer of the app has it (no-sniff.ts): these are written before the app sees the request.
function rawAnswer({ status, reason, message, allow }: { status: number; reason: string; message: string; allow?: string }): string {
  const body = JSON.stringify({ errors: [{ message, extensions: { code: ErrorCode.BAD_USER_INPUT } }] });
  const allowLine = allow === undefined ? '' : `Allow: ${allow}\r\n`;
  return `HTTP/1.1 ${status} ${reason}\r\n${allowLine}Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n${body}`;
}

/**
 * Answers a connection whose request is not yet made (its headers still arriving) with `refusal`, then closes it as a
 * parser's refusal is: what the client still sends is dropped, no longer parsed into a request.
 */
export function refuseOnSocket(socket: Socket, refusal: { status: number; reason: string; message: string }): void {
  // Node's own http server unconsumes the same way before handing a socket on (an upgrade); its 'data' listener parses.
  const parser = (socket as Socket & { parser?: { _consumed?: boolean; unconsume?(): void } | null }).parser;
  if (parser?._consumed && typeof parser.unconsume === 'function') parser.unconsume();
  if (parser) parser._consumed = false;
  if (!socket.writable) return void socket.destroy();
  socket.end(rawAnswer(refusal));
  lingerThenClose(socket);
}

/** Answers the parser's refusals and CONNECT requests on `server` as described above. */
export function answerClientErrors(server: Server): Server {
  server.on('connect', (_req: IncomingMessage, socket: Duplex) => {
    if (!socket.writable) return void socket.destroy();
    socket.end(rawAnswer(CONNECT));
    lingerThenClose(socket);
  });
  const answered = new WeakSet<Duplex>();
  // Each connection's latest request: Node lets go of its answer (socket._httpMessage) once it is sent.
  const latest = new WeakMap<Duplex, ServerResponse>();
  server.on('request', (req: IncomingMessage, res: ServerResponse) => latest.set(req.socket, res));
  server.on('clientError', (error: ParserError, socket: Duplex) => {
    if (error.code === 'HPE_CLOSED_CONNECTION') return dropAfterClose(socket);
    // Each further chunk on a refused connection is reported again: it was answered once.
    if (answered.has(socket)) return;
    answered.add(socket);
    if (error.code === 'ECONNRESET') {
      socket.destroy();
      return;
    }
    // The refused bytes are the body of a request already answered before its body was read (a 401, a 413): a bad
    // chunk, or the client's FIN before its Content-Length. A second answer (written after the first) would be read as
    // the answer to the client's next request; the connection closes after the one it has.
    const last = latest.get(socket);
    if (last && last.headersSent && !last.req.complete) {
      const close = (): void => {
        socket.end();
        lingerThenClose(socket);
      };
      if (last.writableFinished) close();
      else last.once('finish', close).once('close', () => last.writableFinished || socket.destroy());
      return;
    }
    const answer = (): void => {
      if (!socket.writable) return void socket.destroy();
      socket.end(clientErrorAnswer(error));
      lingerThenClose(socket);
    };
    // A request before the refused one on this connection (pipelined) is answered first: its bytes must not be cut
    // by ours (Node's own handler wrote its status line into them when their headers were not yet sent).
    const inFlight = (socket as { _httpMessage?: ServerResponse | null })._httpMessage;
    // Unless the refused bytes are that request's own body (a bad chunk size): its handler waits for a body that will
    // never end, and Node stops timing a connection its parser gave up on, so waiting for its answer held it for ever.
    if (inFlight && !inFlight.headersSent && !inFlight.req.complete) return answer();
    if (inFlight && !inFlight.writableFinished) {
      inFlight.once('finish', () => setImmediate(answer));
      inFlight.once('close', () => inFlight.writableFinished || socket.destroy());
    } else answer();
  });
  return server;
}

// Where the bytes after a closing request began, per connection: only a bound of them is dropped.
const afterClose = new WeakMap<Duplex, number>();

/**
 * Bytes after a request that closes its connection (Connection: close, or HTTP/1.0): that request and those before it
 * are answered, and Node closes the connection after the last (RFC 9112 9.6: no later request is processed). Refusing
 * the bytes with a 400 ended the connection before the closing request's answer: the client read the 400 as it, while
 * the request (a mutation, say) had run. Reported again for each further chunk; past a bound the connection is cut.
 */
function dropAfterClose(socket: Duplex): void {
  const read = (socket as Duplex & { bytesRead?: number }).bytesRead ?? 0;
  const start = afterClose.get(socket);
  if (start === undefined) afterClose.set(socket, read);
  else if (read - start > DROPPED_BODY_BYTES) socket.destroy();
}

/** Reads and drops what the client still sends, up to a bound, then closes; at the client's own end, at once. */
function lingerThenClose(socket: Duplex): void {
  // The parser is done with this connection: what comes now is dropped, not parsed (and refused) again.
  socket.removeAllListeners('data');
  let dropped = 0;
  const close = (): void => {
    clearTimeout(timer);
    socket.destroy();
  };
  const timer = setTimeout(close, DROPPED_BODY_MS);
  timer.unref();
  socket.on('data', (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > DROPPED_BODY_BYTES) close();
  });
  socket.once('end', close);
  socket.once('close', () => clearTimeout(timer));
  socket.resume();
}
