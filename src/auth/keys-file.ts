import { close, constants, open } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { Socket } from 'node:net';
import { promisify } from 'node:util';

/**
 * The text of STEDI_API_KEYS_FILE. A pipe is a legitimate keys file (`<(vault read …)`, a secrets agent's FIFO), so
 * it is read, but with a bound: a read that blocked on a pipe nothing wrote to (or a device) stalled startup for ever.
 */

/** How long a pipe may take to get a writer and to be written whole. */
export const KEYS_FILE_WAIT_MS = 10_000;
/** A keys file holds key:role lines; /dev/zero-like input is refused at this size rather than read until memory runs out. */
const MAX_BYTES = 1024 * 1024;

const openFd = promisify(open);
const closeFd = promisify(close);

/** What went wrong with the file itself, said whole (the caller adds nothing). */
export class KeysFileError extends Error {
  constructor(path: string, problem: string) {
    super(`the API keys file ${path} ${problem}`);
    this.name = 'KeysFileError';
  }
}

export async function readKeysFile(path: string, waitMs = KEYS_FILE_WAIT_MS): Promise<string> {
  const found = await stat(path);
  if (found.isFile()) {
    if (found.size > MAX_BYTES) throw new KeysFileError(path, `is ${found.size} bytes; a keys file holds key:role lines (at most ${MAX_BYTES} bytes)`);
    return readFile(path, 'utf8');
  }
  if (found.isFIFO() || found.isSocket()) return readPipe(path, waitMs);
  const what = found.isDirectory() ? 'a folder' : 'a device';
  throw new KeysFileError(path, `is ${what}, not a file; give a file (or a pipe) of key:role lines`);
}

const seconds = (ms: number): string => `${(ms / 1000).toLocaleString('en-US')} s`;

async function readPipe(path: string, waitMs: number): Promise<string> {
  const deadline = performance.now() + waitMs;
  let timer: NodeJS.Timeout | undefined;
  // Blocking, on the thread pool: it returns once a writer has the pipe open (at once for a shell's `<(…)`).
  const opening = openFd(path, constants.O_RDONLY);
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), waitMs)));
  const fd = await Promise.race([opening, late]).finally(() => clearTimeout(timer));
  if (fd === 'late') {
    // A writer end opened and closed at once releases the blocked open (its thread and the process's exit).
    await openFd(path, constants.O_WRONLY | constants.O_NONBLOCK).then(closeFd, () => undefined);
    await opening.then(closeFd, () => undefined);
    throw new KeysFileError(path, `is a pipe that nothing wrote to within ${seconds(waitMs)}; start what writes the keys first, or give a regular file`);
  }
  // Read through the event loop, so the wait for the writer to finish can be cut short.
  const socket = new Socket({ fd, readable: true, writable: false });
  return new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    const fail = (problem: string): void => {
      clearTimeout(stop);
      socket.destroy();
      reject(new KeysFileError(path, problem));
    };
    const stop = setTimeout(() => fail(`is a pipe whose writer did not finish within ${seconds(waitMs)}; it must write the keys and close the pipe`), Math.max(0, deadline - performance.now()));
    socket.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > MAX_BYTES) return fail(`gave more than ${MAX_BYTES} bytes; a keys file holds key:role lines`);
      chunks.push(chunk);
    });
    socket.on('error', (error: NodeJS.ErrnoException) => fail(`could not be read (${error.code ?? error.message})`));
    socket.on('end', () => {
      clearTimeout(stop);
      socket.destroy();
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
  });
}
