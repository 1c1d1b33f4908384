import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Figure, Unit } from './figure';
import type { BenchClient } from './json-post';
import { type MachineInfo, machineLine } from './machine';

/** The run's results: the printed Markdown table and `bench/results.json`. */

export interface BenchError {
  benchmark: string;
  title: string;
  error: string;
}

export interface BenchResults {
  schemaVersion: 1;
  mode: 'full' | 'quick';
  /** The HTTP client the figures were measured with (json-post.ts). */
  client: BenchClient;
  machine: MachineInfo;
  durationMs: number;
  figures: Figure[];
  /** Benchmarks that could not run to the end, with why. */
  errors: BenchError[];
  summary: { passed: number; failed: number; informational: number; errored: number };
}

export function summarise(figures: Figure[], errors: BenchError[]): BenchResults['summary'] {
  return {
    passed: figures.filter((f) => f.pass === true).length,
    failed: figures.filter((f) => f.pass === false).length,
    informational: figures.filter((f) => f.pass === null).length,
    errored: errors.length,
  };
}

const RATES: readonly Unit[] = ['rows/s', 'req/s'];

export function formatValue(value: number, unit: Unit): string {
  switch (unit) {
    case 's':
      return value >= 10 ? value.toFixed(1) : value.toPrecision(3);
    case 'ms':
      return value >= 100 ? value.toFixed(0) : value.toFixed(1);
    case '×':
      return value.toFixed(2);
    default:
      return Math.round(value).toLocaleString('en-US');
  }
}

const withUnit = (value: number, unit: Unit): string => (unit === '×' ? `${formatValue(value, unit)}×` : `${formatValue(value, unit)} ${unit}`);

export function formatRatio(figure: Figure): string {
  if (figure.ratio === null) return '—';
  return RATES.includes(figure.unit) ? `${(figure.ratio * 100).toFixed(0)}% of floor` : `${figure.ratio.toFixed(2)}× floor`;
}

const verdict = (f: Figure): string => (f.pass === null ? 'info' : f.pass ? 'pass' : `**FAIL** (${f.criteria.filter((c) => !c.pass).map((c) => c.label).join(', ')})`);

const cell = (text: string): string => text.replace(/\|/g, '\\|');

/** The results as a Markdown table (readable on a terminal, pasteable into the README). */
export function formatTable(results: BenchResults): string {
  const header = ['#', 'benchmark', 'figure', 'median', 'min – max', 'runs', 'floor (median)', 'ratio', 'target', 'result'];
  const rows = results.figures.map((f) => [
    f.benchmark,
    f.title,
    f.figure,
    withUnit(f.median, f.unit),
    f.runs > 1 ? `${formatValue(f.min, f.unit)} – ${formatValue(f.max, f.unit)}` : '',
    String(f.runs),
    f.floor ? `${f.floor.what}: ${withUnit(f.floor.median, f.floor.unit)}` : '—',
    formatRatio(f),
    f.target,
    verdict(f),
  ]);
  const lines = [header, header.map(() => '---'), ...rows].map((r) => `| ${r.map(cell).join(' | ')} |`);
  const errors = results.errors.map((e) => `- benchmark ${e.benchmark} (${e.title}) did not finish: ${e.error}`);
  const { passed, failed, informational, errored } = results.summary;
  return [
    `Machine: ${machineLine(results.machine)} · mode: ${results.mode} · client: ${results.client}`,
    '',
    ...lines,
    '',
    ...errors,
    `${passed} passed, ${failed} missed, ${informational} informational, ${errored} benchmarks errored · ${(results.durationMs / 1000).toFixed(0)} s`,
  ].join('\n');
}

export async function writeResults(path: string, results: BenchResults): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${JSON.stringify(results, null, 2)}\n`);
}
