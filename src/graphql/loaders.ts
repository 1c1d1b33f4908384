import DataLoader from 'dataloader';
import type { Row } from '../../etl/engine/engine';
import type { Services } from '../services';
import { customerDataset } from './datasets/customer.dataset';
import { type Dataset, type DatasetFilter, type Node, filterKey } from './datasets/dataset';
import type { KeyValue } from './cursor';
import { visibleNodes } from './connection';
import { type BuiltQuery, type Scope, lookupQuery, nestedCountQuery, nestedPageQuery } from './page-query';
import type { RequestBudget } from './request-budget';
import type { RequestLake } from './request-lake';
import type { Customer } from './types/customer.type';

/**
 * Per-request DataLoaders, one per (what, version, arguments): every parent
 * of a level asks its loader, and the loader answers them all with one
 * engine query. Nothing is shared between requests.
 */
export class Loaders {
  private readonly loaders = new Map<string, DataLoader<string, unknown>>();
  private readonly customersLoaded = new Map<string, Customer | null>();

  constructor(
    private readonly services: Services,
    private readonly lake: RequestLake,
    private readonly budget: RequestBudget,
  ) {}

  /** Customers of a version by serialNumber (null when absent or hidden). */
  customer(version: string): DataLoader<string, Customer | null> {
    return this.loader(`customer|${version}`, async (serials) => {
      const scope = await this.scope(customerDataset, version, {});
      const nodes = (await this.held(scope, serials, undefined, Number.MAX_SAFE_INTEGER)) ?? (await this.run(scope, await lookupQuery(scope, serials)));
      const bySerial = new Map(nodes.map((n) => [n.serialNumber, n]));
      return serials.map((s) => bySerial.get(s) ?? null);
    });
  }

  /**
   * The customer of a row: the value itself once this request has loaded it,
   * so the thousands of rows of one customer on a page complete synchronously
   * instead of each awaiting a promise.
   */
  customerOf(version: string, serial: string): Customer | null | Promise<Customer | null> {
    const key = `${version}|${serial}`;
    const known = this.customersLoaded.get(key);
    if (known !== undefined) return known;
    return this.customer(version)
      .load(serial)
      .then((customer) => {
        this.customersLoaded.set(key, customer);
        return customer;
      });
  }

  /** Up to `limit` nodes per parent serial, in key order, after `after`. */
  nestedPage<N extends Node>(ds: Dataset<N>, version: string, filter: DatasetFilter, after: readonly KeyValue[] | undefined, limit: number): DataLoader<string, N[]> {
    const key = `page|${ds.kind}|${version}|${filterKey(filter)}|${JSON.stringify(after ?? null)}|${limit}`;
    return this.loader(key, async (serials) => {
      const scope = await this.scope(ds, version, filter);
      const nodes = (await this.held(scope, serials, after, limit)) ?? (await this.run(scope, await nestedPageQuery(scope, serials, after, limit)));
      const bySerial = new Map<string, N[]>(serials.map((s) => [s, []]));
      for (const node of nodes) bySerial.get(node.serialNumber)?.push(node);
      return serials.map((s) => bySerial.get(s)!);
    });
  }

  /** The row count of each parent serial under `filter`. */
  nestedCount<N extends Node>(ds: Dataset<N>, version: string, filter: DatasetFilter): DataLoader<string, number> {
    return this.loader(`count|${ds.kind}|${version}|${filterKey(filter)}`, async (serials) => {
      this.budget.startCount();
      const scope = await this.scope(ds, version, filter);
      const query = await nestedCountQuery(scope, serials);
      const rows = await this.query(query);
      const counts = new Map(rows.map((r) => [String(r.serialNumber), Number(r.count)]));
      return serials.map((s) => counts.get(s) ?? 0);
    });
  }

  private loader<V>(key: string, batch: (keys: readonly string[]) => Promise<V[]>): DataLoader<string, V> {
    let loader = this.loaders.get(key) as DataLoader<string, V> | undefined;
    if (!loader) {
      // Private: a level holds at most maxPageSize parents, so one batch (one query) covers it.
      loader = new DataLoader<string, V>(batch, { maxBatchSize: this.services.config.maxPageSize });
      this.loaders.set(key, loader as DataLoader<string, unknown>);
    }
    return loader;
  }

  private async scope<N extends Node>(dataset: Dataset<N>, version: string, filter: DatasetFilter): Promise<Scope<N>> {
    const consent = await this.lake.consent();
    const { engine, config } = this.services;
    return { engine, dataset, version, filter, exclusions: consent.exclusionsFor(version), split: config.split };
  }

  /**
   * The page of one serial from the engine's in-memory copy, when it holds the
   * table (a small version): the rows the SQL would answer, consent excluded
   * there too and checked again here. undefined: run the SQL.
   */
  private async held<N extends Node>(scope: Scope<N>, serials: readonly string[], after: readonly KeyValue[] | undefined, limit: number): Promise<N[] | undefined> {
    const { engine } = this.services;
    const held = scope.dataset.held;
    if (!held || !engine.heldPage || scope.filter.split || scope.filter.serialNumber != null || serials.length !== 1) return undefined;
    const { from, to } = scope.filter;
    const range = from != null || to != null ? { column: held.timeColumn, from, to } : undefined;
    const request = { table: held.table, version: scope.version, serial: serials[0], exclusions: scope.exclusions, range, after, limit };
    const rows = await engine.heldPage(request, { timeoutMs: this.budget.timeoutMs() });
    return rows && visibleNodes(scope.dataset, rows, scope.version, await this.lake.consent(), this.services.logger);
  }

  private query(query: BuiltQuery): Promise<Row[]> {
    return this.services.reads.query(query.sql, query.params, { timeoutMs: this.budget.timeoutMs() });
  }

  private async run<N extends Node>(scope: Scope<N>, query: BuiltQuery): Promise<N[]> {
    const rows = await this.query(query);
    return visibleNodes(scope.dataset, rows, scope.version, await this.lake.consent(), this.services.logger);
  }
}
