import type { Summary } from './measure';

/**
 * One line of the results: a measured figure, the floor it is compared with
 * (measured in the same run), the ratio between them and the targets it is
 * judged by. Targets are judged on the median.
 */

export type Unit = 's' | 'ms' | 'rows/s' | 'req/s' | 'MiB' | 'count' | '×';

export interface Floor {
  what: string;
  unit: Unit;
  median: number;
  min: number;
  max: number;
  runs: number;
}

export interface Criterion {
  label: string;
  pass: boolean;
}

export interface Figure {
  benchmark: string;
  title: string;
  figure: string;
  unit: Unit;
  median: number;
  min: number;
  max: number;
  runs: number;
  floor: Floor | null;
  /** median / floor median: a multiple for times, a fraction for rates. */
  ratio: number | null;
  target: string;
  /** null: informational, nothing to pass. */
  pass: boolean | null;
  criteria: Criterion[];
  note?: string;
  /** Extra evidence for the JSON only (per-step timings, counts). */
  details?: Record<string, unknown>;
}

export interface Target {
  label: string;
  met(median: number, ratio: number | null): boolean;
}

const num = (value: number): string => (Number.isInteger(value) ? value.toLocaleString('en-US') : String(value));

export const atMost = (limit: number, unit: Unit): Target => ({ label: `≤ ${num(limit)} ${unit}`, met: (m) => m <= limit });
export const atLeast = (limit: number, unit: Unit): Target => ({ label: `≥ ${num(limit)} ${unit}`, met: (m) => m >= limit });
/** For times: at most `multiple` times the floor. */
export const withinFloorMultiple = (multiple: number): Target => ({ label: `≤ ${multiple}× floor`, met: (_m, r) => r !== null && r <= multiple });
/** For rates: at least `fraction` of the floor's rate. */
export const floorFraction = (fraction: number): Target => ({ label: `≥ ${Math.round(fraction * 100)}% of floor`, met: (_m, r) => r !== null && r >= fraction });

export interface FigureSpec {
  benchmark: string;
  title: string;
  figure: string;
  unit: Unit;
  summary: Summary;
  /** `ratio: false`: the floor is context (idle memory), not something the figure is a multiple of. */
  floor?: { what: string; summary: Summary; unit?: Unit; ratio?: false };
  targets?: Target[];
  note?: string;
  details?: Record<string, unknown>;
}

export function makeFigure(spec: FigureSpec): Figure {
  const { summary } = spec;
  const floor: Floor | null = spec.floor
    ? { what: spec.floor.what, unit: spec.floor.unit ?? spec.unit, median: spec.floor.summary.median, min: spec.floor.summary.min, max: spec.floor.summary.max, runs: spec.floor.summary.runs }
    : null;
  const ratio = floor && floor.median > 0 && spec.floor?.ratio !== false ? summary.median / floor.median : null;
  const criteria = (spec.targets ?? []).map((t) => ({ label: t.label, pass: t.met(summary.median, ratio) }));
  return {
    benchmark: spec.benchmark,
    title: spec.title,
    figure: spec.figure,
    unit: spec.unit,
    median: summary.median,
    min: summary.min,
    max: summary.max,
    runs: summary.runs,
    floor,
    ratio,
    target: criteria.length > 0 ? criteria.map((c) => c.label).join(', ') : '—',
    pass: criteria.length > 0 ? criteria.every((c) => c.pass) : null,
    criteria,
    ...(spec.note ? { note: spec.note } : {}),
    ...(spec.details ? { details: spec.details } : {}),
  };
}

/** A summary with every value multiplied (ms → s, bytes → MiB). */
export function scaled(summary: Summary, factor: number): Summary {
  const f = (v: number): number => v * factor;
  return { median: f(summary.median), min: f(summary.min), max: f(summary.max), runs: summary.runs, samples: summary.samples.map(f) };
}

/** A single observed value as a one-run summary (for figures that are counts, not timings). */
export const single = (value: number): Summary => ({ median: value, min: value, max: value, runs: 1, samples: [value] });
