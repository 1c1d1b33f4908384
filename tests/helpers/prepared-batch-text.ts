import { join } from 'node:path';
import { columnTextFileNames } from '../../etl/engine/duckdb/column-text-file-names';
import { LakeLayout } from '../../etl/engine/duckdb/lake-layout';
import type { Engine } from '../../etl/engine/engine';
import { SAMPLE_COLUMNS } from '../../src/graphql/datasets/machine-learning.dataset';
import { BATCH_TABLE, prepareBatchText } from '../../src/graphql/prepare-batch-text';
import { ANALYST_KEY, buildTestApp, type TestApp } from './http-app';

/** What the suites of machineLearningBatch pages cut from prepared column text share: documents, walks, preparing. */

export const ALL_BATCH_COLUMNS = SAMPLE_COLUMNS.join(' ');

export const batchDocument = (selection: string, name = 'Batch') => `query ${name}($first: Int, $after: String, $split: Split, $splitSeed: String) {
  machineLearningBatch(first: $first, after: $after, split: $split, splitSeed: $splitSeed) {
    rowCount columns { ${selection} } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`;

/** The engine with its column reads counted (a prepared page reads none). */
export function countingColumns(inner: Engine): { engine: Engine; reads: () => number } {
  let reads = 0;
  const engine = Object.create(inner) as Engine;
  engine.queryColumns = (sql, params, options) => {
    reads += 1;
    return inner.queryColumns!(sql, params, options);
  };
  return { engine, reads: () => reads };
}

export async function answer(t: TestApp, document: string, variables: Record<string, unknown>): Promise<string> {
  const res = await t.graphql(document, ANALYST_KEY, variables);
  expect(res.status).toBe(200);
  return res.text;
}

/** Walks both apps page by page with the same arguments; every answer must be the same text. Returns the pages and the rows' serials. */
export async function sameWalk(engineApp: TestApp, textApp: TestApp, document: string, variables: Record<string, unknown>): Promise<{ pages: number; serials: Set<string> }> {
  let after: string | null = null;
  const serials = new Set<string>();
  for (let pages = 1; ; pages += 1) {
    const expected = await answer(engineApp, document, { ...variables, after });
    const actual = await answer(textApp, document, { ...variables, after });
    expect(actual).toBe(expected);
    const page = (JSON.parse(actual) as { data: { machineLearningBatch: { columns: { serialNumber?: string[] }; pageInfo: { hasNextPage: boolean; endCursor: string } } } }).data.machineLearningBatch;
    for (const serial of page.columns.serialNumber ?? []) serials.add(serial);
    if (!page.pageInfo.hasNextPage) return { pages, serials };
    after = page.pageInfo.endCursor;
  }
}

/** Whether the version's text is complete (prepared by the test or by the app in the background). */
export function prepared(engine: Engine, version: string): boolean {
  const text = engine.derivedColumnText!(BATCH_TABLE, version).open(SAMPLE_COLUMNS);
  text?.close();
  return text !== undefined;
}

export async function prepare(t: TestApp): Promise<void> {
  const { engine, services } = t.lake;
  const version = (await engine.manifest())!.versions[0].version;
  // 'busy': the app's first batch request prepared it already (a complete set is never written again).
  expect(['prepared', 'busy']).toContain(await prepareBatchText(engine, version, services.logger));
  for (let i = 0; i < 100 && !prepared(engine, version); i += 1) await new Promise((r) => setTimeout(r, 50));
  expect(prepared(engine, version)).toBe(true);
}

/** The path of the live version's text file of batch column `column`. */
export async function batchColumnFile(t: TestApp, column: (typeof SAMPLE_COLUMNS)[number]): Promise<string> {
  const version = (await t.lake.engine.manifest())!.versions[0].version;
  return columnTextFileNames(join(new LakeLayout(t.lake.lake).versionDir(BATCH_TABLE, version), BATCH_TABLE)).column(SAMPLE_COLUMNS.indexOf(column));
}

/** An app on the same lake folder as `t` with batch pages read from the engine only. */
export const engineOnly = (t: TestApp, landing: string) => buildTestApp({ landing, lake: t.lake.lake, build: false, config: { batchText: false } });

/** Two apps over one lake built from `landing`: `text` cuts batch pages from prepared column text (its column reads counted), `engine` never does. */
export async function textAndEngineApps(landing: string): Promise<{ text: TestApp; engine: TestApp; reads: () => number }> {
  let counted: (() => number) | undefined;
  const text = await buildTestApp({
    landing,
    wrapEngine: (e) => {
      const columns = countingColumns(e);
      counted = columns.reads;
      return columns.engine;
    },
  });
  const engine = await engineOnly(text, landing);
  return { text, engine, reads: () => counted?.() ?? 0 };
}
