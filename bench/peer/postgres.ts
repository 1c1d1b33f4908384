import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A throwaway PostgreSQL cluster for the peer benchmark: Debian's server
 * (`apt-get install -y postgresql` when it is missing), default settings,
 * on a loopback port, in its own temp folder; stopped and removed at the end.
 */

export interface PostgresPeer {
  port: number;
  /** Owned by the server's user: files it COPYs from are written here. */
  folder: string;
  /** The connection URL of `database` (default: postgres). */
  url(database?: string): string;
  /** The postmaster's pid: the root of every Postgres process. */
  pid(): number;
  stop(): void;
}

function binDir(log: (m: string) => void): string {
  const find = (): string | undefined => {
    const root = '/usr/lib/postgresql';
    if (!existsSync(root)) return undefined;
    const version = readdirSync(root).sort((a, b) => Number(b) - Number(a))[0];
    return version && existsSync(join(root, version, 'bin', 'initdb')) ? join(root, version, 'bin') : undefined;
  };
  let dir = find();
  if (!dir) {
    log('PostgreSQL is missing: apt-get install -y postgresql');
    execFileSync('apt-get', ['install', '-y', 'postgresql'], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    dir = find();
  }
  if (!dir) throw new Error('PostgreSQL is not installed and apt-get could not install it');
  return dir;
}

/** Runs a server binary as the postgres user when this process is root (PostgreSQL refuses root). */
function asPostgres(command: string, args: string[]): void {
  const root = process.getuid?.() === 0;
  const run = root ? spawnSync('runuser', ['-u', 'postgres', '--', command, ...args], { encoding: 'utf8' }) : spawnSync(command, args, { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`${command} failed (${run.status}): ${run.stderr || run.stdout}`);
}

export function startPostgres(port: number, log: (m: string) => void): PostgresPeer {
  const bin = binDir(log);
  // Its own temp folder: the postgres user cannot enter the run's private scratch folder.
  const folder = mkdtempSync(join(tmpdir(), 'stedi-bench-postgres-'));
  if (process.getuid?.() === 0) chownSync(folder, Number(execFileSync('id', ['-u', 'postgres']).toString().trim()), Number(execFileSync('id', ['-g', 'postgres']).toString().trim()));
  const data = join(folder, 'data');
  asPostgres(join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres']);
  asPostgres(join(bin, 'pg_ctl'), ['-D', data, '-o', `-p ${port} -k ${folder} -c listen_addresses=127.0.0.1`, '-l', join(folder, 'log'), '-w', 'start']);
  log(`PostgreSQL (${bin}) on 127.0.0.1:${port}`);
  return {
    port,
    folder,
    url: (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`,
    pid: () => Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]),
    stop: () => {
      if (!existsSync(folder)) return;
      try {
        asPostgres(join(bin, 'pg_ctl'), ['-D', data, '-m', 'fast', '-w', 'stop']);
      } finally {
        rmSync(folder, { recursive: true, force: true });
      }
    },
  };
}

/** Runs SQL through psql (the client Debian's package installs); returns its unaligned, tuples-only output. */
export function psql(url: string, sql: string): string {
  const run = spawnSync('psql', [url, '-v', 'ON_ERROR_STOP=1', '-q', '-A', '-t', '-c', sql], { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
  if (run.status !== 0) throw new Error(`psql failed: ${run.stderr}`);
  return run.stdout;
}
