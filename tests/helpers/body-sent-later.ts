import { connect } from 'node:net';

/** A POST whose headers are in the server (it invited the body) before `send` writes its body: a request in flight across whatever happens between. */
export interface BodySentLater {
  /** Writes the body, half-closes, and resolves with the answer's status and parsed JSON body once the server closes. */
  send(): Promise<{ status: number; body: any }>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** Sends `POST path` with `Expect: 100-continue` and resolves once the server answers `100 Continue`. */
export async function bodySentLater(url: string, path: string, key: string, json: unknown): Promise<BodySentLater> {
  const { hostname, port } = new URL(url);
  const body = JSON.stringify(json);
  const socket = connect({ host: hostname, port: Number(port) });
  let read = '';
  const closed = new Promise<void>((resolve, reject) => {
    socket.once('close', () => resolve());
    socket.once('error', reject);
  });
  await new Promise<void>((resolve, reject) => {
    socket.on('data', (chunk: Buffer) => {
      read += chunk.toString();
      if (read.startsWith('HTTP/1.1 100 Continue\r\n\r\n')) resolve();
      else if (read.includes('\r\n\r\n')) reject(new Error(`the server did not invite the body: ${read.slice(0, 200)}`));
    });
    socket.once('error', reject);
    socket.write(`POST ${path} HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${key}\r\ncontent-type: application/json\r\nconnection: close\r\nexpect: 100-continue\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n`);
  });
  return {
    async send() {
      socket.end(body);
      await closed;
      const answer = read.slice('HTTP/1.1 100 Continue\r\n\r\n'.length);
      const text = answer.slice(answer.indexOf('\r\n\r\n') + 4);
      // A chunked answer's size lines around one JSON document.
      return { status: Number(/^HTTP\/1\.1 (\d+)/.exec(answer)?.[1] ?? 0), body: JSON.parse(text.slice(text.indexOf('{'), text.lastIndexOf('}') + 1)) };
    },
  };
}
