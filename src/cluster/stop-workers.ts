import type { Worker } from 'node:cluster';
import type { ToWorker } from './messages';

/** How long past its drain time a worker told to stop may take before it is killed. */
const KILL_AFTER_GRACE_MS = 5_000;

/** Tells each worker to stop (it drains for up to `graceMs`), kills any still running after that; resolves once all have exited. */
export async function stopWorkers(workers: Iterable<Worker>, graceMs: number): Promise<void> {
  const exits = [...workers].map((worker) => new Promise<void>((resolve) => {
    if (worker.isDead()) return resolve();
    worker.once('exit', () => resolve());
    if (worker.isConnected()) worker.send({ stedi: 'shutdown' } satisfies ToWorker);
    setTimeout(() => worker.process.kill('SIGKILL'), graceMs + KILL_AFTER_GRACE_MS).unref();
  }));
  await Promise.all(exits);
}
