import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';

/** A logger at `level` whose lines (JSON text, one per entry) are kept in `lines`, for tests of what is logged. */
export function loggedLines(level = 'info'): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: pino({ level }, sink), lines };
}
