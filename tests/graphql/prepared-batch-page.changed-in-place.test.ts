import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { ANALYST_KEY, type TestApp } from '../helpers/http-app';
import { writeManyCustomersLanding } from '../helpers/many-customers-landing';
import { ALL_BATCH_COLUMNS, answer, batchColumnFile, batchDocument, prepare, prepared, sameWalk, textAndEngineApps } from '../helpers/prepared-batch-text';

/**
 * A column text file changed in place after every block of it was read and
 * passed its check (a server that has paged through the whole set): each read
 * must still check the bytes it splices, so the answer is always valid JSON
 * with the engine's rows, on graphql-js and on the compiled document, and the
 * damaged set is written anew.
 */

const PAGE = 'query Page($a: String) { machineLearningBatch(first: 50, after: $a) { rowCount columns { distanceFromObject } } }';
/** The same page as a document first sent after the change: its first answer runs on graphql-js, which reads the lists' values. */
const FRESH = 'query Fresh($a: String) { machineLearningBatch(first: 50, after: $a) { columns { distanceFromObject } rowCount } }';
const SAMPLES = '{ machineLearningSamples(first: 50) { edges { node { distanceFromObject } } } }';

/** The answer's text as sent, whether or not it is JSON (supertest would throw on a body that is not). */
async function rawAnswer(t: TestApp, document: string): Promise<{ status: number; text: string }> {
  const res = await t
    .graphql(document, ANALYST_KEY, { a: null })
    .buffer(true)
    .parse((response, done) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => done(null, body));
    });
  return { status: res.status, text: res.body as string };
}

/** Writes `text` at byte `at` of `path`, in place (same file, same size). */
function overwrite(path: string, at: number, text: string): void {
  const fd = openSync(path, 'r+');
  try {
    writeSync(fd, text, at, 'latin1');
  } finally {
    closeSync(fd);
  }
}

describe('batch pages from column text changed in place after every block was read', () => {
  let text: TestApp;
  let engine: TestApp;
  let reads: () => number;
  beforeAll(async () => {
    ({ text, engine, reads } = await textAndEngineApps(writeManyCustomersLanding(14, (i) => 1 + (i % 5) * 3).landing));
  });
  afterAll(async () => {
    await text.close();
    await engine.close();
  });

  it('answers valid JSON with the rows machineLearningSamples has, never the changed bytes, and writes the set anew', async () => {
    await prepare(text);
    const expected = await answer(engine, PAGE, { a: null });
    const samples = (await text.graphql(SAMPLES, ANALYST_KEY)).body.data.machineLearningSamples.edges.map((e: { node: { distanceFromObject: number } }) => e.node.distanceFromObject);
    expect(JSON.parse(expected).data.machineLearningBatch.columns.distanceFromObject).toEqual(samples);
    // Every block read and passed, from the text: whole walks, and the page on graphql-js then compiled.
    let before = reads();
    await sameWalk(engine, text, batchDocument(ALL_BATCH_COLUMNS), { first: 4 });
    for (let i = 0; i < 3; i += 1) expect(await answer(text, PAGE, { a: null })).toBe(expected);
    expect(reads()).toBe(before);

    const distance = await batchColumnFile(text, 'distanceFromObject');
    expect(readFileSync(distance, 'latin1').slice(0, 20)).toBe('100,100,101,102,103,');
    // A value becomes another (100 to 900) and another loses its first digit to a quote: 900,100,101,102,"03.
    overwrite(distance, 0, '9');
    overwrite(distance, 16, '"');
    before = reads();
    for (const document of [PAGE, FRESH]) {
      const engineAnswer = await answer(engine, document, { a: null });
      for (let i = 0; i < 3; i += 1) {
        const res = await rawAnswer(text, document);
        expect(res.status).toBe(200);
        expect(() => JSON.parse(res.text)).not.toThrow();
        expect(res.text).toBe(engineAnswer);
      }
    }
    expect(reads()).toBeGreaterThan(before);

    // The damaged set is set aside and prepared again from the version's rows (a batch request starts it).
    const version = (await text.lake.engine.manifest())!.versions[0].version;
    for (let i = 0; i < 200 && !(prepared(text.lake.engine, version) && readFileSync(distance, 'latin1').startsWith('100,')); i += 1) {
      expect(await answer(text, PAGE, { a: null })).toBe(expected);
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(readFileSync(distance, 'latin1').slice(0, 20)).toBe('100,100,101,102,103,');
    await sameWalk(engine, text, batchDocument(ALL_BATCH_COLUMNS), { first: 4 });
  });
});
