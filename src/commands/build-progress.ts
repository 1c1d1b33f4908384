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

/** A progress bar on stderr while a build runs, only when stderr is a terminal. */
export function buildProgressBar(stream: NodeJS.WriteStream = process.stderr): { onProgress: (p: BuildProgress) => void; stop: () => void } {
  if (!stream.isTTY) return { onProgress: () => undefined, stop: () => undefined };
  const bar = new SingleBar({ stream, format: ' {bar} {value}/{total} steps | {step}', hideCursor: true, clearOnComplete: true }, Presets.shades_classic);
  let started = false;
  return {
    onProgress: (p) => {
      if (!started) {
        bar.start(p.total, 0, { step: label(p) });
        started = true;
      }
      bar.update(p.completed, { step: label(p) });
    },
    stop: () => started && bar.stop(),
  };
}
