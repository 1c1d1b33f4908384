import type { BuildProgress, BuildStep } from '../../etl/build';
import type { ConsentPolicy } from '../../etl/consent-policy';
import { BUILT_TABLES, SOURCES } from '../../etl/tables';

/** One background build as the API reports it: state, per-step progress, outcome. */
export type RebuildState = 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED';
/** FAILED: the step was running when the build failed (it failed, or another step's failure stopped it). */
export type StepState = 'PENDING' | 'RUNNING' | 'DONE' | 'FAILED';

export interface RebuildStepStatus {
  /** `customer_landing`, `customer_trusted`, …, `checks`, `publish`. */
  name: string;
  kind: BuildStep['kind'];
  state: StepState;
  /** Rows the step produced, once done (accepted landing lines or table rows). */
  rows: number | null;
}

export interface RebuildJob {
  id: string;
  state: RebuildState;
  consentPolicy: ConsentPolicy;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  /** The version the build published, once it succeeded. */
  version: string | null;
  /** A message safe to show the caller; details are in the server log. */
  error: string | null;
  /** SUCCEEDED, but versions it expired stay on disk (their removal was refused): which, and the fix, lake paths as `<lake>`. */
  warning: string | null;
  /** It failed only because another build held the lake: no fault (the erasure tries again at once, erasure.ts). */
  lakeBusy: boolean;
  /** It failed only because a landing file kept changing while it was read (a writer at work): no fault either, tried again alike. */
  landingChanging: boolean;
  steps: RebuildStepStatus[];
  completedSteps: number;
  totalSteps: number;
}

export const stepName = (step: BuildStep): string => {
  switch (step.kind) {
    case 'landing':
      return `${step.source}_landing`;
    case 'table':
      return step.table;
    default:
      return step.kind;
  }
};

export function newJob(id: string, consentPolicy: ConsentPolicy): RebuildJob {
  const steps: RebuildStepStatus[] = [
    ...SOURCES.map((source) => ({ name: `${source}_landing`, kind: 'landing' as const, state: 'PENDING' as const, rows: null })),
    ...BUILT_TABLES.map((table) => ({ name: table, kind: 'table' as const, state: 'PENDING' as const, rows: null })),
    { name: 'checks', kind: 'checks', state: 'PENDING', rows: null },
    { name: 'publish', kind: 'publish', state: 'PENDING', rows: null },
  ];
  return {
    id,
    state: 'QUEUED',
    consentPolicy,
    createdAt: new Date(),
    startedAt: null,
    finishedAt: null,
    version: null,
    error: null,
    warning: null,
    lakeBusy: false,
    landingChanging: false,
    steps,
    completedSteps: 0,
    totalSteps: steps.length,
  };
}

/**
 * Applies one onProgress report of runBuild to the job. A build that goes again (a landing file changed while it
 * was read) reports from its first step again: a step done stays DONE, and the count never goes back.
 */
export function recordProgress(job: RebuildJob, progress: BuildProgress): void {
  const name = stepName(progress.step);
  const step = job.steps.find((s) => s.name === name);
  if (step) {
    if (progress.done || step.state !== 'DONE') step.state = progress.done ? 'DONE' : 'RUNNING';
    if (progress.done && progress.rows !== undefined) step.rows = progress.rows;
  }
  job.completedSteps = Math.max(job.completedSteps, progress.completed);
  job.totalSteps = progress.total;
}

/** When the build fails: a step still running will never finish; one not started stays PENDING. */
export function failRunningSteps(job: RebuildJob): void {
  for (const step of job.steps) if (step.state === 'RUNNING') step.state = 'FAILED';
}

/** When the build published but could not report its last steps (its process died): every step was done. */
export function finishSteps(job: RebuildJob): void {
  for (const step of job.steps) step.state = 'DONE';
  job.completedSteps = job.totalSteps;
}
