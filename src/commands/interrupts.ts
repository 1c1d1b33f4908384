/**
 * Ctrl+C and SIGTERM for a command that stops cleanly (a build, a generate):
 * the first one is the command's to handle, a second one gets Node's default
 * and stops the process at once.
 */

export type InterruptSignal = 'SIGINT' | 'SIGTERM';

/** The exit code of a command stopped by `signal`, as shells report it (128 + its number). */
export const interruptedExitCode = (signal: InterruptSignal): number => (signal === 'SIGINT' ? 130 : 143);

/** Calls `onSignal` at the first Ctrl+C or SIGTERM; returns what removes the handlers once the command's work is over. */
export function onInterrupt(onSignal: (signal: InterruptSignal) => void): () => void {
  const handlers = (['SIGINT', 'SIGTERM'] as const).map((signal) => {
    const handler = (): void => onSignal(signal);
    process.once(signal, handler);
    return [signal, handler] as const;
  });
  return () => handlers.forEach(([signal, handler]) => process.off(signal, handler));
}
