import 'reflect-metadata';
import { Command, CommanderError } from 'commander';
import { registerBuild } from './commands/build.command';
import { registerDoctor } from './commands/doctor.command';
import { registerGenerate } from './commands/generate.command';
import { registerHelp } from './commands/help.command';
import { registerStatus } from './commands/status.command';
import { registerServe } from './commands/serve.command';
import { registerStart } from './commands/start.command';
import { CliError, USAGE_EXIT_CODE, usageErrorLine } from './commands/cli-error';
import { ignoreClosedOutput } from './commands/closed-output';
import { withExamples } from './commands/help-examples';
import { stderrLine } from './commands/printable-text';
import { packageVersion } from './package-info';

/** `stedi`: build, inspect and serve the lake. Every failure is one clear line on stderr and a non-zero exit (2 for a usage error). */
export function program(): Command {
  const cli = new Command('stedi')
    .description('STEDI lakehouse: landing JSON → trusted → curated, served over GraphQL')
    .version(packageVersion(), '-V, --version', 'print the version')
    .exitOverride();
  withExamples(cli, [
    ['stedi start', 'try it: sample data, a build, a server and keys'],
    ['stedi build --landing ./landing --lake ./lake', 'build a new version of the zones'],
    ['stedi status --lake ./lake', 'row counts, quarantine and kept versions'],
    ['stedi <command> --help', 'the options and examples of one command'],
  ]);
  registerBuild(cli);
  registerStatus(cli);
  registerGenerate(cli);
  registerServe(cli);
  registerStart(cli);
  registerDoctor(cli);
  registerHelp(cli);
  // Per command, so the hint names the help that lists the flag gone wrong (`stedi build --help`).
  for (const command of [cli, ...cli.commands]) {
    const name = command === cli ? 'stedi' : `stedi ${command.name()}`;
    command.configureOutput({ outputError: (message, write) => write(usageErrorLine(message, name)) });
  }
  return cli;
}

export async function main(argv: string[]): Promise<void> {
  ignoreClosedOutput();
  try {
    await program().parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has said what was wrong (an unknown flag, a missing value; `stedi` alone: the help): a usage error.
      process.exitCode = error.exitCode === 0 ? 0 : USAGE_EXIT_CODE;
      return;
    }
    const message = error instanceof Error ? error.message : String(error);
    // One line, always: a multi-line engine message would break scripts reading stderr.
    process.stderr.write(stderrLine(message));
    process.exitCode = error instanceof CliError ? error.exitCode : 1;
  }
}
