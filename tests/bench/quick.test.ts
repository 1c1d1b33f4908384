import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describeWithStediSample, STEDI_SAMPLE_DIR } from '../helpers/stedi-sample';

/**
 * CI runs the quick benchmarks so they never rot. Speed is not judged here:
 * only that every benchmark runs to the end and the results file is complete
 * and consistent.
 */

const ROOT = resolve(__dirname, '..', '..');
const BENCHMARK_IDS = ['1', '10', '2', '3', '4', '5', '6', '7', '8', '9'];

interface FigureJson {
  benchmark: string;
  figure: string;
  unit: string;
  median: number;
  min: number;
  max: number;
  runs: number;
  floor: { median: number; what: string } | null;
  ratio: number | null;
  target: string;
  pass: boolean | null;
  criteria: Array<{ label: string; pass: boolean }>;
}

describeWithStediSample('npm run bench -- --quick', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stedi-bench-test-'));
  const out = join(dir, 'results.json');
  let run: ReturnType<typeof spawnSync>;
  let results: {
    schemaVersion: number;
    mode: string;
    client: string;
    machine: { cores: number; memoryBytes: number; date: string };
    figures: FigureJson[];
    errors: unknown[];
    summary: { passed: number; failed: number; informational: number; errored: number };
  };

  beforeAll(() => {
    run = spawnSync('npm', ['run', '--silent', 'bench', '--', '--quick', '--out', out, '--sample-dir', STEDI_SAMPLE_DIR], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 6 * 60_000,
    });
    try {
      results = JSON.parse(readFileSync(out, 'utf8'));
    } catch (error) {
      throw new Error(`the bench wrote no readable ${out} (exit ${run.status}): ${(error as Error).message}\n${String(run.stderr).slice(-3000)}`);
    }
  }, 7 * 60_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('runs every benchmark to the end and exits 0', () => {
    expect({ status: run.status, errors: results.errors, stderrTail: run.status === 0 ? '' : String(run.stderr).slice(-2000) }).toEqual({ status: 0, errors: [], stderrTail: '' });
    expect(results.mode).toBe('quick');
    expect([...new Set(results.figures.map((f) => f.benchmark))].sort()).toEqual(BENCHMARK_IDS);
  });

  it('records the machine, the date and the HTTP client', () => {
    expect(results.schemaVersion).toBe(1);
    expect(results.client).toBe(process.env.BENCH_HTTP_CLIENT ?? 'http');
    expect(results.machine.cores).toBeGreaterThan(0);
    expect(results.machine.memoryBytes).toBeGreaterThan(0);
    expect(Number.isNaN(Date.parse(results.machine.date))).toBe(false);
  });

  it('gives every figure a median within its min and max, its runs, and a verdict consistent with its criteria', () => {
    for (const f of results.figures) {
      expect([f.benchmark, f.figure, Number.isFinite(f.median), f.min <= f.median && f.median <= f.max, f.runs >= 1]).toEqual([f.benchmark, f.figure, true, true, true]);
      const verdict = f.criteria.length === 0 ? null : f.criteria.every((c) => c.pass);
      expect([f.figure, f.pass]).toEqual([f.figure, verdict]);
      if (f.floor && f.ratio !== null) expect(f.ratio).toBeCloseTo(f.median / f.floor.median, 6);
    }
  });

  it('compares every judged speed with a floor measured in the same run', () => {
    const judged = (f: FigureJson) => f.criteria.length > 0;
    const speeds = results.figures.filter((f) => judged(f) && ['s', 'rows/s', 'req/s'].includes(f.unit));
    expect(speeds.length).toBeGreaterThan(0);
    for (const f of speeds) expect([f.figure, f.floor !== null && f.floor.median > 0, f.ratio !== null]).toEqual([f.figure, true, true]);
  });

  it('prints the results table with a line per figure', () => {
    const table = String(run.stdout).split('\n').filter((line) => /^\| \d+ /.test(line));
    expect(table).toHaveLength(results.figures.length);
    expect(results.summary.passed + results.summary.failed + results.summary.informational).toBe(results.figures.length);
  });
});
