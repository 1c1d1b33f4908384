import { buildTestApp, type TestApp } from '../helpers/http-app';
import { writeManyCustomersLanding } from '../helpers/many-customers-landing';
import { type HeldReads, holdingEngine, raceSmallQuery } from '../helpers/turn-race';

/**
 * Bulk pages take turns on the event loop (src/graphql/page-turns.ts): pages whose reads return together are
 * completed one a loop turn, so another client's request is answered between two of them instead of after all.
 */

const PAGES = 11;
// Distinct seeds: eleven different reads of about 1,660 rows each (the training split of 104 consenting customers with
// 20 readings each). A page takes its turn whatever its size, and the eleven edge pages together still span several
// stretches of STRETCH_EDGES edges (edge-turns.ts).
const page = (i: number): string => `p${i}: machineLearningSamples(first: 10000, split: TRAIN, splitSeed: "s${i}") { edges { node { serialNumber sensorReadingTime sensorReadingTimeIso distanceFromObject x y z } } }`;
const HEAVY = `{ ${Array.from({ length: PAGES }, (_, i) => page(i)).join(' ')} }`;
const batch = (i: number): string => `p${i}: machineLearningBatch(first: 10000, split: TRAIN, splitSeed: "s${i}") { rowCount columns { serialNumber sensorReadingTime distanceFromObject x y z } }`;
const BATCHES = `{ ${Array.from({ length: PAGES }, (_, i) => batch(i)).join(' ')} }`;

describe('bulk pages taking turns', () => {
  jest.setTimeout(60_000);
  let t: TestApp;
  // Bulk pages are read as columns: their reads are held, then handed over in one synchronous step.
  const held: HeldReads = { on: false, reads: [] };
  beforeAll(async () => {
    t = await buildTestApp({ landing: writeManyCustomersLanding(130, 20).landing, wrapEngine: (inner) => holdingEngine(inner, held, 'queryColumns'), config: { limits: { maxRequestRows: PAGES * 10_000 } } });
  });
  afterAll(() => t.close());

  it('answers another client\'s small query between the pages of a request whose eleven pages were read at once', async () => {
    expect(await race(HEAVY)).toEqual(['small', 'heavy']);
  });

  it('answers another client\'s small query between eleven machineLearningBatch pages read at once', async () => {
    expect(await race(BATCHES)).toEqual(['small', 'heavy']);
  });

  /** The order the heavy request's answer and the small query's started in, the heavy one checked whole. */
  async function race(heavyQuery: string): Promise<string[]> {
    const { order, heavyAnswer } = await raceSmallQuery(t.server, held, heavyQuery, PAGES);
    // Every page answered whole: eleven of about 1,660 rows, as edges or as columns.
    expect((heavyAnswer.match(/"serialNumber"|"serial-/g) ?? []).length).toBeGreaterThan(PAGES * 1_000);
    return order;
  }
});
