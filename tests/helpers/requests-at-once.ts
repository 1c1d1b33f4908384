import type { Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';

/**
 * Raw requests written all at once, one connection each, so they all arrive in the same turn of the server's event
 * loop (key-turns.ts has them wait for turns). Nothing is timed.
 */

/** A GraphQL POST with `key`, as written on the wire. */
export function rawPost(key: string, query: string, headers: Record<string, string> = {}): string {
  const body = JSON.stringify({ query });
  const more = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join('');
  return `POST /graphql HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${key}\r\n${more}Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

export interface RawAnswer {
  /** 0 for a request whose client went at once (`gone`). */
  status: number;
  body: string;
}

/**
 * Opens one connection per request, then writes every request at once; resolves with each answer's status and body.
 * The connections at the indexes in `gone` are closed right after their request is written.
 */
export async function sendAtOnce(server: Server, requests: string[], gone: ReadonlySet<number> = new Set()): Promise<RawAnswer[]> {
  const { port } = server.address() as AddressInfo;
  const sockets: Socket[] = await Promise.all(requests.map(() => new Promise<Socket>((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  })));
  const answers = sockets.map((socket, i) => gone.has(i) ? Promise.resolve({ status: 0, body: '' }) : new Promise<RawAnswer>((resolve) => {
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      text += chunk;
      const head = text.indexOf('\r\n\r\n');
      const length = /content-length: (\d+)/i.exec(text);
      if (head >= 0 && length && text.length - head - 4 >= Number(length[1])) {
        socket.destroy();
        resolve({ status: Number(text.slice(9, 12)), body: text.slice(head + 4) });
      }
    });
  }));
  // Every connection accepted by the server first: else each is accepted, and its request read, in a turn of its own.
  while ((await connectionsOf(server)) < sockets.length) await new Promise((resolve) => setImmediate(resolve));
  sockets.forEach((socket, i) => {
    socket.write(requests[i]!);
    if (gone.has(i)) socket.destroy();
  });
  return Promise.all(answers);
}

/** Writes every request on one connection in one write (HTTP/1.1 pipelining); resolves with each answer's status. */
export async function sendPipelined(server: Server, requests: string[]): Promise<number[]> {
  const socket = connect((server.address() as AddressInfo).port, '127.0.0.1');
  await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  let text = '';
  socket.setEncoding('utf8');
  const statuses = new Promise<number[]>((resolve) => {
    socket.on('data', (chunk: string) => {
      text += chunk;
      const found = [...text.matchAll(/^HTTP\/1\.1 (\d{3})/gm)].map((match) => Number(match[1]));
      if (found.length === requests.length) {
        socket.destroy();
        resolve(found);
      }
    });
  });
  socket.write(requests.join(''));
  return statuses;
}

export const connectionsOf = (server: Server): Promise<number> => new Promise((resolve) => server.getConnections((_error, count) => resolve(count)));

/** Resolves once the server holds no connection: every response it had has closed. */
export async function allConnectionsClosed(server: Server): Promise<void> {
  while ((await connectionsOf(server)) > 0) await new Promise((resolve) => setTimeout(resolve, 5));
}
