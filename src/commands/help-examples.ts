import type { Command } from 'commander';

/** Adds an "Examples:" block to a command's --help: one runnable line per use, with what it does. */
export function withExamples(command: Command, examples: ReadonlyArray<[line: string, what: string]>): Command {
  const width = Math.max(...examples.map(([line]) => line.length));
  const text = examples.map(([line, what]) => `  $ ${line.padEnd(width)}  # ${what}`).join('\n');
  return command.addHelpText('after', `\nExamples:\n${text}`);
}
