import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { runCli } from '../helpers/run-cli';

/** The CLI prints its version (checked through bin/stedi.js, the compiled CLI: `npm run build` first) and examples in every --help. */

const ROOT = resolve(__dirname, '..', '..');
const stedi = (...args: string[]): string => execFileSync(process.execPath, [resolve(ROOT, 'bin', 'stedi.js'), ...args], { encoding: 'utf8' });

describe('stedi --version and --help', () => {
  it('prints the package version', () => {
    const { version } = JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(stedi('--version').trim()).toBe(version);
  });

  it.each(['', 'build', 'status', 'generate', 'serve', 'start', 'doctor'])('shows runnable examples in `stedi %s --help`', async (name) => {
    const command = name ? [name] : [];
    // In-process: one child process per command would cost seconds each.
    const help = (await runCli(...command, '--help')).stdout;
    const examples = help.slice(help.indexOf('Examples:'));
    expect(help).toContain('Examples:');
    expect(examples).toMatch(new RegExp(`\\$ .*stedi ${command[0] ?? ''}`));
  });

  it.each(['build', 'serve', 'start'])('names STEDI_LANDING beside --landing in `stedi %s --help`, as it does STEDI_LAKE beside --lake', async (name) => {
    const help = (await runCli(name, '--help')).stdout.replace(/\s+/g, ' ');
    expect(help).toMatch(/--landing <dir> [^-]*\(default: STEDI_LANDING, else/);
  });

  it.each(['serve', 'start'])('says in `stedi %s --help` which address it listens on, HOST, and that the default keeps it to this machine', async (name) => {
    const help = (await runCli(name, '--help')).stdout.replace(/\s+/g, ' ');
    expect(help).toContain('at the address HOST (default 127.0.0.1: this machine only; 0.0.0.0: every network)');
  });

  it('says in `stedi build --help` that --query-timeout-ms bounds read queries, not the build\'s own statements', async () => {
    // It read 'time limit of one query', and `stedi build --query-timeout-ms 1` built as ever on either engine.
    const help = (await runCli('build', '--help')).stdout.replace(/\s+/g, ' ');
    expect(help).toMatch(/--query-timeout-ms <n> time limit of one read query, as an API request's \(STEDI_QUERY_TIMEOUT_MS, default 30000\); a build's own statements are not bound by it \(on Athena: STEDI_ATHENA_BUILD_TIMEOUT_MS\)/);
  });

  it('says in `stedi generate --help` that --out is required (commander marks no required option itself)', async () => {
    expect((await runCli('generate', '--help')).stdout.replace(/\s+/g, ' ')).toMatch(/--out <dir> required: folder to receive/);
  });

  it('stops quietly when its reader closes the pipe early (`stedi build --help | true`), with no stack trace', () => {
    // `true` exits without reading: the CLI's writes to the pipe meet EPIPE.
    const run = spawnSync('bash', ['-c', `"${process.execPath}" "${resolve(ROOT, 'bin', 'stedi.js')}" build --help | true; exit \${PIPESTATUS[0]}`], { encoding: 'utf8' });
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
  });
});
