import { createWriteStream } from 'node:fs';
import { type Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type CallLimit, limitError } from './aws-call';

/**
 * An S3 object's body copied to a file. A large body may take longer than
 * one call's time limit, so the limit bounds each wait for the next bytes
 * instead: a read that stalls (a silent connection, which the SDK gives up
 * only at its socket timeout) fails as AWS out of reach, and the caller's
 * abort ends the copy at once, as it ends a call (aws-call.ts).
 */
export async function copyBody(body: Readable, path: string, limit: CallLimit): Promise<void> {
  const started = Date.now();
  const stalled = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const rearm = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => stalled.abort(), limit.timeoutMs);
    timer.unref?.();
  };
  const watch = new Transform({
    transform(chunk, _encoding, done) {
      rearm();
      done(null, chunk);
    },
  });
  const signal = limit.signal ? AbortSignal.any([limit.signal, stalled.signal]) : stalled.signal;
  rearm();
  try {
    await pipeline(body, watch, createWriteStream(path), { signal });
  } catch (error) {
    throw limitError(error, limit, stalled.signal, started);
  } finally {
    clearTimeout(timer);
  }
}
