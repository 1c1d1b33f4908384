/**
 * Ctrl+C, SIGTERM and a terminal hang-up (SIGHUP: an SSH session dropped) for a
 * command that stops cleanly (a build, a generate): the first one is the
 * command's to handle, a second one gets Node's default and stops the process at once.
 */

export type InterruptSignal = 'SIGINT' | 'SIGTERM' | 'SIGHUP';

const SIGNAL_NUMBERS: Record<InterruptSignal, number> = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };

/** The exit code of a command stopped by `signal`, as shells report it (128 + its number). */
export const interruptedExitCode = (signal: InterruptSignal): number => 128 + SIGNAL_NUMBERS[signal];

/** Calls `onSignal` at the first Ctrl+C, SIGTERM or hang-up; returns what removes the handlers once the command's work is over. */
export function onInterrupt(onSignal: (signal: InterruptSignal) => void): () => void {
  const handlers = (['SIGINT', 'SIGTERM', 'SIGHUP'] as const).map((signal) => {
    const handler = (): void => onSignal(signal);
    process.once(signal, handler);
    return [signal, handler] as const;
  });
  return () => handlers.forEach(([signal, handler]) => process.off(signal, handler));
}

/** Ctrl+C or a kill stops a generate between two customers (an AbortSignal it checks) and removes what it staged. */
export function abortOnInterrupt(): { signal: AbortSignal; stop(): void } {
  const controller = new AbortController();
  return { signal: controller.signal, stop: onInterrupt((signal) => controller.abort(signal)) };
}

/** The signal that aborted `signal`, when one did. */
export const interruptOf = (signal: AbortSignal): InterruptSignal | undefined => (signal.aborted ? (signal.reason as InterruptSignal) : undefined);

/**
 * Ctrl+C or a kill stops a build where it is: before publishing nothing is published (the manifest is
 * written last, by a rename) and the next build removes what this one left (its record names it). Said in one line.
 */
export function sayWhenBuildInterrupted(): { publishing: boolean; stop(): void } {
  const state = { publishing: false };
  // Removed when the build is over: a signal after it is the process's own business (main may run many builds, as in tests).
  const stop = onInterrupt((signal) => {
    const outcome = state.publishing ? 'it was publishing: run `stedi status` to see which version is live' : 'nothing was published, the lake is as it was';
    process.stderr.write(`stedi: build interrupted (${signal}); ${outcome}; the next build removes this one's partial files\n`);
    process.exit(interruptedExitCode(signal));
  });
  return Object.assign(state, { stop });
}

/** Ctrl+C or a kill while a command prepares, with nothing of its own to undo: `message` in one line, not Node's silent default. */
export function sayWhenInterrupted(message: (signal: InterruptSignal) => string): () => void {
  return onInterrupt((signal) => {
    process.stderr.write(`stedi: ${message(signal)}\n`);
    process.exit(interruptedExitCode(signal));
  });
}
