import { oneLine } from './printable-text';

/** A failure the user can fix, reported as its message alone. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/**
 * The exit code of a command line that cannot run as written (an unknown command or flag, a flag's missing or bad
 * value), as most command-line tools use it: a script tells "called wrongly" from "ran and failed" (1).
 */
export const USAGE_EXIT_CODE = 2;

/** A flag's value the command cannot take: one line, exit 2. */
export const usageError = (message: string): CliError => new CliError(message, USAGE_EXIT_CODE);

/**
 * Commander's own usage error (`error: unknown option '--bogus'`) as the one `stedi: ...` line every other failure
 * prints: an operator greps one prefix. Its "option '--keep <n>' argument 'two' is invalid." preamble goes when our
 * parser's message (which names the flag) follows; a control character in an echoed argument is escaped (a line
 * break split the line, an escape sequence reached the terminal).
 */
export function usageErrorLine(commanderMessage: string, command: string): string {
  const message = commanderMessage
    .replace(/^error: /, '')
    .replace(/^option '[^']*' argument '[\s\S]*' is invalid\. (?=--)/, '')
    // Commander's own line break before its suggestion; any other control character is the user's, escaped.
    .replace(/\s*\n(?=\(Did you mean)/, ' ')
    .trim();
  return `stedi: ${oneLine(message)} (run \`${command} --help\` for usage)\n`;
}
