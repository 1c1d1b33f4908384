import type { Command } from 'commander';

/**
 * `stedi help [command]`, in place of commander's own: for a name that is no command, commander printed the whole
 * usage on stderr and exited 2 without saying why (`stedi help bogus`). It now says so, as `stedi bogus` does.
 */
export function registerHelp(cli: Command): void {
  cli.helpCommand(false);
  cli
    .command('help [command]')
    .description('display help for command')
    .action((name: string | undefined) => {
      if (name === undefined) cli.help();
      const command = cli.commands.find((c) => c.name() === name || c.aliases().includes(name));
      if (command) command.help();
      const names = cli.commands.filter((c) => c.name() !== 'help').map((c) => c.name());
      cli.error(`error: unknown command '${name}'; the commands are ${names.join(', ')}`, { code: 'commander.unknownCommand' });
    });
}
