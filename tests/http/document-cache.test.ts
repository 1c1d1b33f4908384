import { documentStoreOf } from '../../src/http/apollo';
import type { DocumentStore } from '../../src/http/document-store';
import { ANALYST_KEY, buildTestApp, type TestApp } from '../helpers/http-app';
import { writeManyCustomersLanding } from '../helpers/many-customers-landing';

/**
 * Parsed, validated documents and their cost estimates are kept by text
 * (issue 11: cheaper per request), within a byte bound a client sending new
 * text every time cannot push past (issue 10), and a kept estimate refuses
 * exactly what a fresh one would.
 */

const MAX_DOCUMENT_BYTES = 256 * 1024;
const PAGES = 'query Pages($n: Int, $m: Int, $serial: String) { customers(first: $n, after: $serial) { edges { node { serialNumber stepTrainerReadings(first: $m) { edges { node { sensorReadingTime } } } } } } }';
const COUNTED = 'query Counted($n: Int, $c: Boolean!) { customers(first: $n) { totalCount @include(if: $c) edges { node { serialNumber } } } }';

describe('the cache of parsed documents and their cost', () => {
  let t: TestApp;
  let store: DocumentStore;
  beforeAll(async () => {
    t = await buildTestApp({
      landing: writeManyCustomersLanding(6, 2).landing,
      config: { limits: { documentCacheBytes: MAX_DOCUMENT_BYTES, maxComplexity: 50_000, totalCountCost: 100_000 } },
    });
    store = documentStoreOf(t.app.apollo) as DocumentStore;
  });
  afterAll(() => t.close());

  it('keeps a document once, however often it comes', async () => {
    const query = '{ customers(first: 2) { edges { node { serialNumber } } } }';
    const first = await t.graphql(query, ANALYST_KEY);
    const kept = store.size;
    const again = await t.graphql(query, ANALYST_KEY);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect(store.size).toBe(kept);
  });

  it('never holds more than its byte bound, however many distinct documents come, and still answers each', async () => {
    for (let i = 0; i < 80; i += 1) {
      // New text every time, some with a long literal (the hostile stream of benchmark 10).
      const name = `${i}${'x'.repeat(i % 4 === 0 ? 6_000 : 10)}`;
      const res = await t.graphql(`{ a${i}: customers(first: 1) { edges { node { serialNumber } } } __type(name: "${name}") { name } }`, ANALYST_KEY);
      expect(res.status).toBe(200);
      expect(res.body.data[`a${i}`].edges).toHaveLength(1);
      expect(store.bytes).toBeLessThanOrEqual(MAX_DOCUMENT_BYTES);
    }
    // Full, but not of every document sent: the oldest went.
    expect(store.size).toBeGreaterThan(5);
    expect(store.size).toBeLessThan(80);
    expect(store.bytes).toBeGreaterThan(MAX_DOCUMENT_BYTES / 2);
  });

  it('answers a document larger than the whole cache without keeping it', async () => {
    const before = store.size;
    const res = await t.graphql(`{ __type(name: "${'y'.repeat(140_000)}") { name } lake { liveVersion } }`, ANALYST_KEY);
    expect(res.status).toBe(200);
    expect(res.body.data.__type).toBeNull();
    expect(store.size).toBeLessThanOrEqual(before);
    expect(store.bytes).toBeLessThanOrEqual(MAX_DOCUMENT_BYTES);
  });

  it('refuses a too-expensive request on a document whose cost is kept, when only the page-size variables change', async () => {
    const cheap = await t.graphql(PAGES, ANALYST_KEY, { n: 2, m: 2 });
    expect(cheap.status).toBe(200);
    expect(cheap.body.errors).toBeUndefined();
    const costly = await t.graphql(PAGES, ANALYST_KEY, { n: 1_000, m: 1_000 });
    expect(costly.status).toBe(400);
    expect(costly.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(costly.body.errors[0].message).toMatch(/estimated cost is [\d,]+, above the limit of 50,000/);
    // The cheap variables again, and a variable the cost does not read changed: still answered.
    const again = await t.graphql(PAGES, ANALYST_KEY, { n: 2, m: 2, serial: null });
    expect(again.status).toBe(200);
    expect(again.body.data).toEqual(cheap.body.data);
  });

  it('prices a totalCount that a directive variable switches on, on a kept document', async () => {
    const off = await t.graphql(COUNTED, ANALYST_KEY, { n: 2, c: false });
    expect(off.status).toBe(200);
    const on = await t.graphql(COUNTED, ANALYST_KEY, { n: 2, c: true });
    expect(on.status).toBe(400);
    expect(on.body.errors[0].message).toMatch(/estimated cost is 100,0[\d,]+, above the limit of 50,000/);
    expect((await t.graphql(COUNTED, ANALYST_KEY, { n: 2, c: false })).status).toBe(200);
  });

  it('refuses wrong variables on a kept document with graphql-js\'s message, as the first time', async () => {
    expect((await t.graphql(PAGES, ANALYST_KEY, { n: 2, m: 2 })).status).toBe(200);
    for (const variables of [{ n: 'ten', m: 2 }, { n: 2, m: 2, serial: ['a'] }, { n: 2147483648 }]) {
      const res = await t.graphql(PAGES, ANALYST_KEY, variables);
      expect(res.status).toBe(400);
      expect(res.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
      expect(res.body.errors[0].message).toMatch(/^Variable "\$(n|serial)" got invalid value/);
    }
    const missing = await t.graphql(COUNTED, ANALYST_KEY, { n: 2 });
    expect(missing.status).toBe(400);
    expect(missing.body.errors[0].message).toMatch(/Variable "\$c" of required type "Boolean!" was not provided/);
  });
});
