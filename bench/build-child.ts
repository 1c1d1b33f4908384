import { BuildStepTimer } from './build-steps';
import { buildLake } from './lakes';

/**
 * Child process of benchmark 2: one build, alone in its process, so its peak
 * resident memory (`maxRSS`) is the build's own. argv: landing folder, lake folder.
 */
async function main(): Promise<void> {
  const [landing, lake] = process.argv.slice(2);
  const baselineRssBytes = process.resourceUsage().maxRSS * 1024;
  const started = process.hrtime.bigint();
  const timer = new BuildStepTimer();
  const manifest = await buildLake(landing, lake, timer.onProgress);
  const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
  const rows = Object.fromEntries(Object.entries(manifest.tables).map(([t, v]) => [t, v.rows]));
  process.send?.({ type: 'built', durationMs, maxRssBytes: process.resourceUsage().maxRSS * 1024, baselineRssBytes, rows, stepMs: timer.ms });
}

main().then(
  () => process.disconnect?.(),
  (error: unknown) => {
    process.send?.({ type: 'error', error: (error as Error).stack ?? String(error) }, () => process.exit(1));
  },
);
