import { resolve } from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { Presets, SingleBar } from 'cli-progress';
import { GENERATE_DEFAULTS, type GenerateProgress, type GenerateReport, generateLanding } from '../../etl/generate/generate';
import { BAD_LINE_KINDS, quarantinable } from '../../etl/generate/bad-lines';
import { SOURCES } from '../../etl/tables';
import { expandHome, isAddress } from '../config-values';
import { CliError } from './cli-error';
import { abortOnInterrupt, interruptOf, interruptedExitCode } from './interrupts';
import { withExamples } from './help-examples';
import { decimalNumber, positiveInteger } from './options';
import { printablePath } from './printable-text';
import { ensureSampleRoom } from './sample-room';

interface GenerateFlags {
  out: string;
  customers: number;
  seed: string;
  dirty: number;
  force?: boolean;
  linesPerFile: number;
  json?: boolean;
}

const EXAMPLES: Array<[string, string]> = [
  ['stedi generate --out ./landing --customers 1000 --seed 42', 'a reproducible sample landing zone'],
];

export function registerGenerate(cli: Command): void {
  withExamples(cli.command('generate'), EXAMPLES)
    .description('write STEDI-shaped sample landing data (newline-delimited JSON), the same bytes for the same seed')
    .requiredOption('--out <dir>', 'required: folder to receive customer/landing/, accelerometer/landing/, step_trainer/landing/', outFlag)
    .option('--customers <n>', 'number of customers (each ~30 reading times, ~85 accelerometer readings)', positiveInteger('--customers'), GENERATE_DEFAULTS.customers)
    .option('--seed <seed>', 'seed of the random data (any text); equal seeds give byte-identical files', seedFlag, String(GENERATE_DEFAULTS.seed))
    .option('--dirty <fraction>', 'chance (0..1) that a clean line is followed by a bad one: malformed, missing field, wrong type or exact duplicate', fraction, 0)
    .option('--force', 'replace the data files of landing folders that already hold files')
    .option('--lines-per-file <n>', 'split each source into files of at most this many lines', positiveInteger('--lines-per-file'), GENERATE_DEFAULTS.maxLinesPerFile)
    .option('--json', 'print one JSON object describing what was written')
    .action(async (flags: GenerateFlags) => {
      await ensureSampleRoom(flags.out, flags, '--out', (need, free) =>
        `--customers ${flags.customers} would write about ${need} into ${resolve(flags.out)}, and its disk has ${free} free; ask for fewer customers or choose an --out folder on a larger disk`,
      );
      const bar = progressBar();
      const interrupted = abortOnInterrupt();
      try {
        const report = await generateLanding({
          out: flags.out,
          customers: flags.customers,
          seed: flags.seed,
          dirty: flags.dirty,
          force: flags.force ?? false,
          maxLinesPerFile: flags.linesPerFile,
          onProgress: bar.onProgress,
          signal: interrupted.signal,
        });
        bar.stop();
        process.stdout.write(flags.json ? `${JSON.stringify(report)}\n` : `${summary(report)}\n`);
      } catch (error) {
        const signal = interruptOf(interrupted.signal);
        if (!signal) throw error;
        bar.stop();
        throw new CliError(`generate interrupted (${signal}); nothing was written to the landing folders`, interruptedExitCode(signal));
      } finally {
        interrupted.stop();
        bar.stop();
      }
    });
}

/** `--out "$OUT"` with OUT unset: the command line is wrong (exit 2), as when --out is left out. */
function outFlag(raw: string): string {
  if (raw.trim() === '') throw new InvalidArgumentError(`--out takes the folder to write the landing data into; received ${JSON.stringify(raw)}`);
  // Read as a path, `--out s3://bucket/landing` wrote a local folder `s3:` that looked uploaded.
  if (isAddress(raw)) {
    throw new InvalidArgumentError(`--out takes a local folder, not an address; received ${JSON.stringify(raw)}: generate into one, then upload it (README: On AWS, Uploading landing data)`);
  }
  return expandHome(raw);
}

/** An empty seed is a command line gone wrong (`--seed "$SEED"` with SEED unset): said as a usage error, naming the flag. */
function seedFlag(raw: string): string {
  if (raw === '') throw new InvalidArgumentError('--seed takes any text but an empty one; received ""');
  return raw;
}

/** Decimal digits, as every number flag takes them: Number() also took `0x1`, `1e-1` and `+.5`. */
function fraction(raw: string): number {
  const value = decimalNumber(raw);
  if (!(value >= 0 && value <= 1)) throw new InvalidArgumentError(`--dirty takes a number from 0 to 1; received ${JSON.stringify(raw)}`);
  return value;
}

/** A bar on stderr while customers are written, only when stderr is a terminal. */
function progressBar(stream: NodeJS.WriteStream = process.stderr): { onProgress?: (p: GenerateProgress) => void; stop: () => void } {
  if (!stream.isTTY) return { stop: () => undefined };
  const bar = new SingleBar({ stream, format: ' {bar} {value}/{total} customers | {lines} lines', hideCursor: true, clearOnComplete: true }, Presets.shades_classic);
  let started = false;
  return {
    onProgress: (p) => {
      if (!started) bar.start(p.customers, 0, { lines: 0 });
      started = true;
      bar.update(p.customersDone, { lines: p.lines.toLocaleString('en-US') });
    },
    stop: () => {
      if (started) bar.stop();
      started = false;
    },
  };
}

const n = (value: number): string => value.toLocaleString('en-US');
const plural = (count: number, word: string): string => `${n(count)} ${word}${count === 1 ? '' : 's'}`;

/** The one line `stedi generate` ends with: the seed is any text, so it is quoted as a path is when it holds a control character. */
export function summary(r: GenerateReport): string {
  const written = SOURCES.map((s) => `${s} ${plural(r.lines[s], 'line')} (${plural(r.files[s].length, 'file')})`).join(', ');
  const total = (kind: (typeof BAD_LINE_KINDS)[number]): number => SOURCES.reduce((sum, s) => sum + r.bad[s][kind], 0);
  const quarantined = SOURCES.reduce((sum, s) => sum + quarantinable(r.bad[s]), 0);
  const bad =
    quarantined + total('duplicate') === 0
      ? 'no bad lines'
      : `bad lines: ${n(quarantined)} for quarantine (${n(total('malformed'))} malformed, ${n(total('missingField'))} missing a field, ${n(total('wrongType'))} wrong type) and ${plural(total('duplicate'), 'exact duplicate')}`;
  return `Generated ${plural(r.customers, 'customer')} (${n(r.consenting)} consenting) with seed ${printablePath(r.seed)} into ${printablePath(r.out)} in ${(r.durationMs / 1000).toFixed(1)} s: ${written}; ${bad}.`;
}
