import type { Engine } from '../etl/engine/engine';
import { loadConfig } from '../src/config';
import { openConfiguredEngine } from '../src/engine';
import { type CursorKind, encodeCursor } from '../src/graphql/cursor';
import type { Dataset, Node } from '../src/graphql/datasets/dataset';
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

  /**
   * The cursor the API issues for the row at 1-based position `row` of a
   * connection in the live version, made with the API's own dataset (its
   * order) and encoder: what a client holds after paging that far.
   */
  async cursorAt<N extends Node>(dataset: Dataset<N>, row: number, field: string): Promise<string> {
    const manifest = await this.engine.manifest();
    const live = manifest?.versions[0];
    if (!live) throw new Error('the lake has no live version');
    const { version, cursorKey } = live;
    const keys = dataset.key.map((k) => `${k.expr} AS "${k.name}"`).join(', ');
    const order = dataset.key.map((k) => k.expr).join(', ');
    const [found] = await this.engine.query(`SELECT ${keys} FROM ${await dataset.from(this.engine, version)} ORDER BY ${order} LIMIT 1 OFFSET ?`, [row - 1]);
    if (!found) throw new Error(`the connection has fewer than ${row} rows`);
    // The arguments of a top-level page with no filter, as the API binds its cursors, and its consent mark (nobody hidden).
    const scope = { field, filter: [null, null, null], split: null, splitSeed: null, hidden: [], markKey: cursorKey };
    return encodeCursor(dataset.kind as CursorKind, version, dataset.key.map((k) => found[k.name] as string | number), scope);
  }

  /** The first `rows` rows of a connection in its key order, as the engine gives them: the floor of a walk from the start. */
  async firstRows<N extends Node>(dataset: Dataset<N>, rows: number): Promise<Record<string, unknown>[]> {
    const version = (await this.engine.manifest())?.versions[0]?.version;
    if (!version) throw new Error('the lake has no live version');
    const order = dataset.key.map((k) => k.expr).join(', ');
    return this.engine.query(`SELECT * FROM ${await dataset.from(this.engine, version)} ORDER BY ${order} LIMIT ?`, [rows]);
  }

  async close(): Promise<void> {
    await closeServices(this.services);
    await this.engine.close();
  }
}
