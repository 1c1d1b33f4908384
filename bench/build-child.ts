import { BuildStepTimer } from './build-steps';
import { buildLake } from './lakes';

/**
 * Child process of benchmark 2: builds alone in their process, so the peak
 * resident memory (`maxRSS`) is the builds' own. Each `{ type: 'build',
 * landing, lake }` message is answered with `built` once that build is done.
 */

interface BuildMessage {
  type: 'build';
  landing: string;
  lake: string;
}

const baselineRssBytes = process.resourceUsage().maxRSS * 1024;

async function build({ landing, lake }: BuildMessage): Promise<void> {
  const timer = new BuildStepTimer();
  const started = process.hrtime.bigint();
  const manifest = await buildLake(landing, lake, timer.onProgress);
  const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
  const rows = Object.fromEntries(Object.entries(manifest.tables).map(([t, v]) => [t, v.rows]));
  process.send?.({ type: 'built', durationMs, maxRssBytes: process.resourceUsage().maxRSS * 1024, baselineRssBytes, rows, stepMs: timer.ms });
}

process.on('message', (message: BuildMessage) => {
  if (message.type !== 'build') return;
  build(message).catch((error: unknown) => {
    process.send?.({ type: 'error', error: (error as Error).stack ?? String(error) }, () => process.exit(1));
  });
});
process.send?.({ type: 'ready' });
