import type { Engine } from '../etl/engine/engine';
import { loadConfig } from '../src/config';
import { openConfiguredEngine } from '../src/engine';
import { machineLearningExportQuery } from '../src/graphql/machine-learning-export';
import { createLogger } from '../src/logger';
import { closeServices, createServices, type Services } from '../src/services';

/**
 * The floors of the pull benchmarks: the engine in this process, asked for
 * exactly the rows the API serves (the export's own query: consent-filtered
 * training samples in keyset order), with nothing in between.
 */
export class InProcessLake {
  private constructor(
    readonly engine: Engine,
    readonly services: Services,
  ) {}

  static async open(lake: string, landing: string): Promise<InProcessLake> {
    const config = loadConfig({ lake, landing, logLevel: 'silent' });
    const engine = await openConfiguredEngine(config);
    const services = await createServices(config, engine, createLogger('silent'));
    return new InProcessLake(engine, services);
  }

  /** The training-set query the API runs for an export (no split: every row). */
  trainingSetQuery(): ReturnType<typeof machineLearningExportQuery> {
    return machineLearningExportQuery(this.services, {});
  }

  async close(): Promise<void> {
    await closeServices(this.services);
    await this.engine.close();
  }
}
