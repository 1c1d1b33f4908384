import { setPriority } from 'node:os';
import type { Config } from '../config';
import { openConfiguredEngine } from '../engine';
import type { VersionManifest } from '../../etl/manifest';
import { REBUILD_NICE, buildInThisProcess, type ChildRequest, type ChildReport, type PublishNow } from './rebuild-process';

/**
 * A server's rebuild, in a process of its own at a lower priority (nice 10,
 * set before DuckDB starts its threads, which inherit it), so the serving
 * processes keep the CPU. Reports progress and the outcome over IPC. Signals
 * meant for the server do not cut a build half way: the server waits for it.
 */

/** Resolves once the report is handed to the channel: exiting earlier could lose it. */
const send = (report: ChildReport): Promise<void> =>
  new Promise((resolve) => {
    if (!process.connected || !process.send) return resolve();
    process.send(report, undefined, {}, () => resolve());
  });

/** The most a build waits for its server to load the new version before publishing anyway (the lock is held meanwhile). */
export const STAGE_WAIT_MS = 60_000;

/** Tells the parent the version is ready and waits for its `publish` (or its exit, or STAGE_WAIT_MS). */
function staged(version: VersionManifest): Promise<void> {
  return new Promise((resolve) => {
    if (!process.connected) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      process.off('message', onMessage);
      process.off('disconnect', done);
      resolve();
    };
    const onMessage = (message: PublishNow): void => {
      if (message?.type === 'publish') done();
    };
    const timer = setTimeout(done, STAGE_WAIT_MS);
    process.on('message', onMessage);
    process.once('disconnect', done);
    void send({ type: 'staged', version });
  });
}

async function run({ config, options }: ChildRequest): Promise<void> {
  const engine = await openConfiguredEngine(config as Config);
  try {
    const built = await buildInThisProcess(engine)(
      config as Config,
      options,
      (progress) => void send({ type: 'progress', progress }),
      staged,
      (again) => void send({ type: 'again', again }),
    );
    await send({ type: 'done', ...built });
  } finally {
    await engine.close();
  }
}

try {
  setPriority(REBUILD_NICE);
} catch {
  // Not allowed here (some containers): the build still runs, on fewer DuckDB threads.
}
// A hang-up too: the terminal the server ran in went away, and the server waits for this build as for a SIGTERM.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => undefined);
process.once('message', (request: ChildRequest) => {
  run(request).then(
    () => process.exit(0),
    async (error: unknown) => {
      const { name, message, stack } = error instanceof Error ? error : new Error(String(error));
      await send({ type: 'failed', name, message, stack, failed: (error as { failed?: unknown }).failed });
      process.exit(1);
    },
  );
});
