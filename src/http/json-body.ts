import express, { type RequestHandler } from 'express';

type JsonOptions = NonNullable<Parameters<typeof express.json>[0]>;

/**
 * express.json, also for a request whose client half-closed its connection before the body was parsed (pipelined
 * requests behind a slow one, then socket.end(): the server answers half-open clients, server.ts). body-parser skips
 * a request on-finished calls finished, and on-finished calls every request on a socket no longer readable finished:
 * each such body went unread and its query was refused as not JSON. The socket reads as readable for that one check.
 */
export function jsonBody(options: JsonOptions): RequestHandler {
  const json = express.json(options);
  return (req, res, next) => {
    const socket = req.socket;
    // Its bytes all arrived (complete) and are still to be read: only the client's FIN made the socket unreadable.
    if (socket.readable || !req.complete || req.readableEnded) return json(req, res, next);
    Object.defineProperty(socket, 'readable', { value: true, configurable: true });
    try {
      json(req, res, next); // body-parser checks at once, before it reads anything
    } finally {
      delete (socket as { readable?: boolean }).readable;
    }
  };
}
