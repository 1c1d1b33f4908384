import { createServer, type Server } from 'node:http';
import { answerExpectAfterChecks } from './body-admission';
import { answerClientErrors } from './client-errors';
import { PARSER_HEADER_BYTES } from './header-size';
import { closeQueuedResponses } from './queued-responses';
import { answerUnreadableTargets, type AppListener } from './unreadable-target';

/**
 * The Node HTTP server the app is served by, with what the server adds around the app: the parser's refusals and
 * CONNECT and targets the router cannot read answered in the JSON error shape (client-errors.ts, unreadable-target.ts), Expect handled after the request's checks, half-open
 * clients answered, the responses queued on a pipelined connection closed with it (queued-responses.ts). The tests'
 * servers are made here too, so they meet the requests the real one does.
 */
export function createHttpServer(app: AppListener): Server {
  // A request without Host is refused by the app (host-header.ts), in the JSON shape Node's own refusal lacked.
  // URL and headers past 16 KiB are refused by the app (header-size.ts), so a browser's preflight of a long GET passes.
  const server = closeQueuedResponses(answerClientErrors(answerExpectAfterChecks(createServer({ requireHostHeader: false, maxHeaderSize: PARSER_HEADER_BYTES }, answerUnreadableTargets(app)))));
  // A client that half-closes after its request (socket.end(): nc -N, some scripts) is answered, then the
  // connection closes: by default Node ended the socket at the client's FIN, so an answer not yet sent was lost.
  // Undocumented but kept in Node for this (nodejs/node#36819); a test through a raw socket notices if it goes.
  (server as Server & { httpAllowHalfOpen: boolean }).httpAllowHalfOpen = true;
  return server;
}
