import type { Worker } from 'node:cluster';
import type { AggregatorRegistry, PrometheusContentType } from 'prom-client';
import type { Engine } from '../../etl/engine/engine';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { RebuildJobs } from '../rebuild/rebuild-jobs';
import type { ToPrimary, ToWorker } from './messages';
import { versionHandover } from './version-handover';
import { type WorkerAnswer, WorkerAnswers } from './worker-answers';
import { replyTo } from './worker-requests';

/** What the primary holds once for all its workers, apart from the workers themselves. */
export interface PrimaryServices {
  /** One rebuild at a time, whichever worker asks; every change of a job is told to every worker. */
  rebuilds: RebuildJobs;
  /** Where the workers' answers to the version handover's messages go. */
  answers: WorkerAnswers;
  /** Answers a worker's request (worker-requests.ts): the reply goes back unless the worker died meanwhile. */
  answer(worker: Worker, request: Extract<ToPrimary, { stedi: 'request' }>): Promise<void>;
}

/**
 * The rebuild jobs, the new version's handover to every worker before and after
 * a publish (version-handover.ts), and the workers' summed metrics. `workers`
 * and `ready` are the primary's own sets, read as they are at each use;
 * `listen` releases the port the primary holds while no worker listens.
 */
export function primaryServices(
  options: { engine: Engine; config: Config; logger: Logger },
  workers: ReadonlySet<Worker>,
  ready: ReadonlySet<Worker>,
  listen: () => Promise<unknown>,
): PrimaryServices {
  const { engine, config, logger } = options;
  // prom-client (~3 MiB of an idle primary's memory) loads on the first /metrics a worker answers, not at start-up.
  let aggregator: Promise<AggregatorRegistry<PrometheusContentType>> | undefined;
  const clusterMetrics = async (): Promise<string> => (await (aggregator ??= import('prom-client').then((p) => new p.AggregatorRegistry()))).clusterMetrics();

  const broadcast = (message: ToWorker): void => {
    for (const worker of workers) if (worker.isConnected()) worker.send(message);
  };
  const rebuilds = new RebuildJobs(engine, config, logger.child({ component: 'rebuild' }), (version) => handover.published(version));
  rebuilds.onChange = () => broadcast({ stedi: 'jobs', jobs: rebuilds.list(), current: rebuilds.current()?.id ?? null });
  // A message to every worker, answered by each (worker-answers.ts).
  const answers = new WorkerAnswers();
  // Only workers that listen: one still starting (a replacement, a spare) has no handler yet and would never answer; it reads the manifest when it starts.
  const askAll = <A extends WorkerAnswer>(message: ToWorker, answer: A['stedi'], version: string): Promise<A[]> =>
    answers.ask<A>([...workers].filter((w) => w.isConnected() && ready.has(w)), message, answer, version);
  const handover = versionHandover(askAll, logger.child({ component: 'rebuild' }));
  rebuilds.beforePublish = (version) => handover.beforePublish(version);

  return {
    rebuilds,
    answers,
    async answer(worker, request) {
      const reply = await replyTo(request, { rebuild: (policy) => rebuilds.start(policy), listen, metrics: clusterMetrics }, logger);
      if (worker.isConnected()) worker.send(reply);
    },
  };
}
