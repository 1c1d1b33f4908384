// The in-process floors use DuckDB as the CLI does: bin/stedi.js sizes libuv's pool before first use.
process.env.UV_THREADPOOL_SIZE ||= '16';
import 'reflect-metadata';
import { resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { BENCHMARKS } from './benchmarks';
import { postgraphilePeerBench } from './peer.bench';
import { collect } from './collect';
import { BenchContext } from './context';
import type { Figure } from './figure';
import { benchClient } from './json-post';
import { currentLoad, describeMachine } from './machine';
import { type BenchError, type BenchResults, formatTable, summarise, writeResults } from './report';
import { type PeerFigure, type PeerSize, parsePeerFigures, parsePeerSizes } from './peer/peer-sizes';
import { FULL, QUICK } from './settings';

/**
 * `npm run bench [-- --quick] [--only 1,3] [--peer postgraphile [--peer-sizes 1,10] [--peer-figures pull]] [--out FILE]`: runs the benchmarks,
 * prints the results table on stdout (progress goes to stderr) and writes the
 * JSON results. Exits non-zero only when a benchmark could not run; a missed
 * target is a result, not a failure.
 */

interface Flags {
  quick?: boolean;
  peer?: 'postgraphile';
  peerSizes?: PeerSize[];
  peerFigures?: PeerFigure[];
  only?: string[];
  out: string;
  sampleDir: string;
}

const ROOT = resolve(__dirname, '..');

function benchmarkIds(raw: string): string[] {
  const ids = raw.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = ids.filter((id) => !BENCHMARKS.some((b) => b.id === id));
  if (ids.length === 0 || unknown.length > 0) {
    throw new InvalidArgumentError(`expected benchmark numbers among ${BENCHMARKS.map((b) => b.id).join(', ')}; received ${JSON.stringify(raw)}`);
  }
  return ids;
}

function peerName(raw: string): 'postgraphile' {
  if (raw !== 'postgraphile') throw new InvalidArgumentError(`the only peer is postgraphile; received ${JSON.stringify(raw)}`);
  return raw;
}

function peerFigures(raw: string): PeerFigure[] {
  try {
    return parsePeerFigures(raw);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

function peerSizes(raw: string): PeerSize[] {
  try {
    return parsePeerSizes(raw);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

async function runBenchmarks(flags: Flags): Promise<BenchResults> {
  const started = Date.now();
  const machine = describeMachine(new Date(started));
  const defaults = flags.quick ? QUICK : FULL;
  const settings = { ...defaults, ...(flags.peerSizes ? { peerSizes: flags.peerSizes } : {}), ...(flags.peerFigures ? { peerFigures: flags.peerFigures } : {}) };
  const log = (message: string): void => {
    process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(1)}s] ${message}\n`);
  };
  const ctx = new BenchContext(settings, resolve(flags.sampleDir), resolve(ROOT, 'bench', '.cache'), log);
  const stopOnSignal = (signal: NodeJS.Signals): void => {
    // Servers, PostgreSQL and the scratch folder go with the run, even one stopped by hand.
    log(`${signal}: stopping the servers and removing the scratch folder`);
    void ctx.close().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', stopOnSignal).once('SIGTERM', stopOnSignal);
  let collected: { figures: Figure[]; errors: BenchError[] };
  try {
    // The peer runs only when asked for (it needs PostgreSQL); with --peer alone, only the peer runs.
    const selected = BENCHMARKS.filter((b) => (flags.only ? flags.only.includes(b.id) : !flags.peer));
    collected = await collect(flags.peer ? [...selected, postgraphilePeerBench] : selected, ctx);
  } finally {
    await ctx.close();
  }
  const { figures, errors } = collected;
  return {
    schemaVersion: 1,
    mode: settings.quick ? 'quick' : 'full',
    client: benchClient(),
    machine: { ...machine, loadAverage: { ...machine.loadAverage, end: currentLoad() } },
    durationMs: Date.now() - started,
    figures,
    errors,
    summary: summarise(figures, errors),
  };
}

async function main(argv: string[]): Promise<void> {
  const cli = new Command('bench')
    .description('measure the build and the API against floors measured in the same run')
    .option('--quick', 'a small version of every benchmark (under a minute; proves they run, not how fast)')
    .option('--only <ids>', 'comma-separated benchmark numbers, e.g. 1,3', benchmarkIds)
    .option('--peer <name>', 'also run the figures side by side with a peer: postgraphile (installs PostgreSQL with apt-get when missing)', peerName)
    .option('--peer-sizes <sizes>', 'lake sizes of the peer run, multiples of the real data among 1, 10, 100 (default: all; --quick: 1)', peerSizes)
    .option('--peer-figures <groups>', 'only these figure groups of the peer run: memory, pull, nested, deep, small, rebuild (default: all)', peerFigures)
    .option('--out <file>', 'where to write the JSON results', resolve(ROOT, 'bench', 'results.json'))
    .option('--sample-dir <dir>', 'the real STEDI landing data', process.env.STEDI_SAMPLE_DIR ?? resolve(ROOT, '..', 'shared', 'data', 'stedi'))
    .parse(argv);
  const flags = cli.opts<Flags>();
  if (flags.peerSizes && !flags.peer) cli.error('error: --peer-sizes chooses the lakes of the peer run: add --peer postgraphile');
  if (flags.peerFigures && !flags.peer) cli.error('error: --peer-figures chooses the figures of the peer run: add --peer postgraphile');
  try {
    benchClient();
  } catch (error) {
    cli.error(`error: ${(error as Error).message}`);
  }
  const results = await runBenchmarks(flags);
  await writeResults(resolve(flags.out), results);
  process.stdout.write(`${formatTable(results)}\nresults: ${resolve(flags.out)}\n`);
  process.exitCode = results.errors.length > 0 ? 1 : 0;
}

main(process.argv).then(
  // Load generators and servers are closed by now; exit even if a library keeps a timer alive.
  () => process.exit(),
  (error: unknown) => {
    process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
