import { SingleBar, Presets } from 'cli-progress';
import type { BuildProgress } from '../../etl/build';

const label = (p: BuildProgress): string => {
  switch (p.step.kind) {
    case 'landing':
      return `reading ${p.step.source} landing`;
    case 'table':
      return `building ${p.step.table}`;
    case 'checks':
      return 'checking';
    case 'publish':
      return 'publishing';
  }
};

export interface ProgressView {
  completed: number;
  total: number;
  label: string;
}

/**
 * Folds progress events into what the bar shows. Landing sources load in
 * parallel, so a step can finish after a later one started: the count only
 * grows, and the label names the steps still running, never a finished one.
 */
export function progressView(): (p: BuildProgress) => ProgressView {
  const running = new Set<string>();
  let completed = 0;
  return (p) => {
    const name = label(p);
    if (p.done) running.delete(name);
    else running.add(name);
    completed = Math.max(completed, p.completed);
    return { completed, total: p.total, label: running.size > 0 ? [...running].join(', ') : name };
  };
}

/** A progress bar on stderr while a build runs, only when stderr is a terminal. */
export function buildProgressBar(stream: NodeJS.WriteStream = process.stderr): { onProgress: (p: BuildProgress) => void; stop: () => void } {
  if (!stream.isTTY) return { onProgress: () => undefined, stop: () => undefined };
  const bar = new SingleBar({ stream, format: ' {bar} {value}/{total} steps | {step}', hideCursor: true, clearOnComplete: true }, Presets.shades_classic);
  const view = progressView();
  let started = false;
  return {
    onProgress: (p) => {
      const now = view(p);
      if (!started) {
        bar.start(now.total, 0, { step: now.label });
        started = true;
      }
      bar.update(now.completed, { step: now.label });
    },
    stop: () => started && bar.stop(),
  };
}
