import type { BuildProgress } from '../etl/build';

/**
 * Per-step wall time of a build, from runBuild's progress events: where the
 * time goes. Steps may overlap (the landing sources load in parallel), so each
 * is timed from its own start, and `landing (wall)` spans all of them.
 */
export class BuildStepTimer {
  readonly ms: Record<string, number> = {};
  private readonly starts = new Map<string, bigint>();
  private landingStart?: bigint;

  readonly onProgress = (p: BuildProgress): void => {
    const now = process.hrtime.bigint();
    const name = stepName(p);
    if (!p.done) {
      this.starts.set(name, now);
      if (p.step.kind === 'landing') this.landingStart ??= now;
      return;
    }
    const start = this.starts.get(name) ?? now;
    this.ms[name] = Number(now - start) / 1e6;
    if (p.step.kind === 'landing' && this.landingStart !== undefined) this.ms['landing (wall)'] = Number(now - this.landingStart) / 1e6;
  };
}

function stepName(p: BuildProgress): string {
  const s = p.step;
  return s.kind === 'landing' ? `${s.source}_landing` : s.kind === 'table' ? s.table : s.kind;
}

/** The median of each step over several builds, rounded to milliseconds. */
export function medianSteps(builds: Array<Record<string, number>>): Record<string, number> {
  const steps = [...new Set(builds.flatMap((b) => Object.keys(b)))];
  return Object.fromEntries(
    steps.map((step) => {
      const values = builds.map((b) => b[step]).filter((v) => v !== undefined).sort((a, b) => a - b);
      const mid = Math.floor(values.length / 2);
      const median = values.length % 2 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
      return [step, Math.round(median)];
    }),
  );
}
