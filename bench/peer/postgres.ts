import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Engine } from '../../etl/engine/engine';

/**
 * A throwaway PostgreSQL cluster for the peer benchmark: Debian's server
 * (`apt-get install -y postgresql` when it is missing), default settings,
 * on a loopback port, in the run's scratch folder; stopped at the end.
 */

export interface PostgresPeer {
  url: string;
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
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop: () => {
      asPostgres(join(bin, 'pg_ctl'), ['-D', data, '-m', 'fast', '-w', 'stop']);
      rmSync(folder, { recursive: true, force: true });
    },
  };
}

/** Runs SQL through psql (the client Debian's package installs). */
export function psql(url: string, sql: string): string {
  const run = spawnSync('psql', [url, '-v', 'ON_ERROR_STOP=1', '-q', '-c', sql], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`psql failed: ${run.stderr}`);
  return run.stdout;
}

const TABLES = [
  {
    name: 'customer_curated',
    columns: '"serialNumber" text PRIMARY KEY, "customerName" text, "registrationDate" bigint, "lastUpdateDate" bigint, "shareWithResearchAsOfDate" bigint',
    select: '"serialNumber", "customerName", "registrationDate", "lastUpdateDate", "shareWithResearchAsOfDate"',
  },
  {
    name: 'step_trainer_trusted',
    columns: '"serialNumber" text, "sensorReadingTime" bigint, "distanceFromObject" bigint, PRIMARY KEY ("serialNumber", "sensorReadingTime", "distanceFromObject")',
    select: '"serialNumber", "sensorReadingTime", "distanceFromObject"',
  },
  {
    name: 'machine_learning_curated',
    columns: '"serialNumber" text, "sensorReadingTime" bigint, "distanceFromObject" bigint, x double precision, y double precision, z double precision, PRIMARY KEY ("serialNumber", "sensorReadingTime", x, y, z)',
    select: '"serialNumber", "sensorReadingTime", "distanceFromObject", x, y, z',
  },
] as const;

/**
 * Loads the live version's served tables (no email column) through CSV files
 * the engine writes, with primary keys on the keyset columns, a foreign key for
 * the customer's readings, and VACUUM ANALYZE.
 */
export async function loadLiveVersion(url: string, engine: Engine, folder: string): Promise<void> {
  const version = (await engine.manifest())?.versions[0]?.version;
  if (!version) throw new Error('the lake has no live version to load into PostgreSQL');
  for (const table of TABLES) {
    const file = join(folder, `${table.name}.csv`);
    await engine.exportToFile(`SELECT ${table.select} FROM ${await engine.tableRef(table.name, version)}`, [], 'csv', file);
    psql(url, `CREATE TABLE ${table.name} (${table.columns})`);
    psql(url, `\\copy ${table.name} (${table.select}) FROM '${file}' WITH (FORMAT csv, HEADER true)`);
  }
  psql(url, 'ALTER TABLE step_trainer_trusted ADD CONSTRAINT step_trainer_customer FOREIGN KEY ("serialNumber") REFERENCES customer_curated ("serialNumber") NOT VALID');
  psql(url, 'VACUUM ANALYZE');
}
