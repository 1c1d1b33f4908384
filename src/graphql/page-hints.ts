import type { Services } from '../services';
import type { KeyValue } from './cursor';
import { accelerometerDataset } from './datasets/accelerometer.dataset';
import type { Dataset, DatasetFilter, Node } from './datasets/dataset';
import { machineLearningDataset } from './datasets/machine-learning.dataset';
import { stepTrainerDataset } from './datasets/step-trainer.dataset';
import { columnarDataset, queryColumns } from './engine-columns';
import { pageQuery, type Scope } from './page-query';
import { pageKey } from './page-read-ahead';
import { edgesPreparer } from './prerendered-edges';
import { type PageReadAhead, readAheadOf } from './read-ahead-store';
import { RequestLake } from './request-lake';
import { readPageColumns } from './stored-order-read';

/**
 * Read-ahead across the two workers of a cluster: a client's consecutive
 * pages reach alternate workers, so the worker that read page n tells the
 * other (through the primary) where page n + 1 starts, and that one reads it
 * before it is asked: each page is read once, by the worker that serves it,
 * with its own query (no page skipped over in SQL, and a walk's second page is
 * read ahead too). The reader builds the query from its own consent snapshot
 * and the store keys it as a request would, so a revocation or other
 * arguments simply miss. A page read on a hint hints on the page after it,
 * up to MAX_AHEAD pages past the page served last; the store's bound holds.
 */
export const MAX_AHEAD = 2;

/**
 * The page after a page this process read, for another worker to read ahead
 * (readHintedPage): everything its query is built from but consent, which the
 * reader takes from its own snapshot (so a revocation changes its key too).
 */
export interface PageHint {
  kind: string;
  version: string;
  filter: DatasetFilter;
  /** The keyset position of the last row of the page before. */
  after: KeyValue[];
  first: number;
  shape: string;
  /** Pages this one is ahead of the page a request was served last (1: the next); 0: only where a walk may go on, nothing to read yet. */
  ahead: number;
  /** The walk's pages are answered as a connection's edges (machineLearningSamples, not the batch): their text is written ahead. */
  edges?: boolean;
}

/** Datasets whose bulk pages are read ahead on a hint: every one with bounded pages (the read-ahead's only ones). */
const HINTED: ReadonlyMap<string, Dataset<Node>> = new Map<string, Dataset<Node>>(
  ([machineLearningDataset, accelerometerDataset, stepTrainerDataset] as Dataset<Node>[]).filter((ds) => ds.boundedPages).map((ds) => [ds.kind, ds]),
);

/** One hinted page as the store keeps it: its key, how to read it, and where the page after it starts. */
export interface HintedPage<T> {
  key: string;
  read: () => Promise<T>;
  rowCount: (result: T) => number;
  keyAt: (result: T, index: number) => KeyValue[];
  /**
   * Work done ahead on the page read (its edges' text: prerendered-edges.ts), once it is the next page
   * asked here (ahead 1): the other worker is then answering the page before, and this one is idle.
   */
  prepare?: (result: T) => void;
}

/** Reads a page another worker hinted at into this process's store (as the columns a bulk page reads). */
export async function readHintedPage(services: Services, hint: PageHint): Promise<void> {
  const ds = HINTED.get(hint.kind);
  const store = readAheadOf(services);
  if (!ds || hint.shape !== 'columns' || !store.relay) return;
  const { engine, config } = services;
  const consent = await new RequestLake(services).consent();
  const scope: Scope<Node> = { engine, dataset: columnarDataset(engine, ds), version: hint.version, filter: hint.filter, exclusions: consent.exclusionsFor(hint.version), split: config.split };
  const query = await pageQuery(scope, hint.after, hint.first + 1);
  await followHint(store, hint, {
    key: pageKey(hint.shape, query),
    read: () => readPageColumns(ds, query, { timeoutMs: config.queryTimeoutMs }, (sql, params, options) => queryColumns(engine, sql, params, options)),
    // Pages of the batch (columns, not edges) share these keys: only a walk of edges has their text written.
    prepare: hint.edges ? edgesPreparer(ds.fieldColumns, hint.first) : undefined,
    rowCount: (result) => result.rowCount,
    keyAt: (result, i) => ds.key.map((k) => result.columns[k.name][i] as KeyValue),
  });
}

/**
 * The hinted page: only noted when the page before it continued no walk
 * (ahead 0); nothing when a request here read it already; else read
 * (unless held or the store is full), and then, if it is not too far ahead,
 * the page after it hinted on to the other worker, and the page prepared
 * once it is the next one asked here (a page read two ahead is read while
 * this worker answers a page: its preparing waits for the hint one ahead).
 */
export async function followHint<T>(store: PageReadAhead, hint: PageHint, page: HintedPage<T>): Promise<void> {
  // A page after one that continued no walk: a request for it will show a walk; nothing is read yet.
  if (hint.ahead === 0) return store.expectNext(page.key);
  if (store.wasRequested(page.key)) return;
  if (!store.peek(page.key) && !store.start(page.key, page.read)) return;
  const held = store.peek<T>(page.key);
  if (!held || hint.ahead >= MAX_AHEAD) return;
  const result = await held;
  if (page.rowCount(result) > hint.first) store.relay?.({ ...hint, after: page.keyAt(result, hint.first - 1), ahead: hint.ahead + 1 });
  if (hint.ahead === 1) page.prepare?.(result);
}
