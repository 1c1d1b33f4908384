/** Private: set once the listeners are on (tests run main many times in one process). */
let ignoring = false;

/**
 * Output read by a program that stops early (`stedi build --help | head -3`, a
 * log viewer closed): its pipe refuses further writes with EPIPE, which Node
 * raises as an unhandled 'error' event and a stack trace. The command goes on
 * (a build still publishes its version); only what nobody reads is dropped.
 */
export function ignoreClosedOutput(): void {
  if (ignoring) return;
  ignoring = true;
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') throw error;
    });
  }
}
