/**
 * Output read by a program that stops early (`stedi build --help | head -3`, a
 * log viewer closed): its pipe refuses further writes with EPIPE, which Node
 * raises as an unhandled 'error' event and a stack trace. The command goes on
 * (a build still publishes its version); only what nobody reads is dropped.
 */
export function ignoreClosedOutput(): void {
  for (const stream of [process.stdout, process.stderr]) {
    // Once per stream, found by name: tests run main many times, from fresh module copies, in one process.
    if (stream.listeners('error').some((listener) => listener.name === ignoreClosedPipe.name)) continue;
    stream.on('error', ignoreClosedPipe);
  }
}

function ignoreClosedPipe(error: NodeJS.ErrnoException): void {
  // EIO: the terminal hung up (an SSH session dropped); the server drains and its rebuild finishes without it.
  if (error.code !== 'EPIPE' && error.code !== 'EIO' && error.code !== 'ERR_STREAM_DESTROYED') throw error;
}
