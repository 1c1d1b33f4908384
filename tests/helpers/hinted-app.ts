import type { Config } from '../../src/config';
import type { PageHint } from '../../src/graphql/page-hints';
import { readAheadOf } from '../../src/graphql/page-read-ahead';
import { buildTestApp, type TestApp } from './http-app';
import { type ManyCustomers, writeManyCustomersLanding } from './many-customers-landing';

/** An app of two workers whose read-ahead hints are kept here instead of going to the other worker. */
export interface HintedApp {
  /** Set in beforeAll. */
  t: TestApp;
  fixture: ManyCustomers;
  /** The hints this process sent since the test began. */
  readonly hints: PageHint[];
  /** Waits (up to 5 s) until `count` hints were sent, and returns the last of them. */
  hinted(count: number): Promise<PageHint>;
}

/**
 * For the whole suite (built in beforeAll, closed in afterAll): `customers` × `readings` of landing, served as by a
 * cluster of two, so a page a walk shows sends a hint; `hints` is emptied before each test.
 */
export function hintedApp(customers: number, readings: number, config: Partial<Config> = {}): HintedApp {
  const app = {
    hints: [] as PageHint[],
    async hinted(count: number): Promise<PageHint> {
      for (let waited = 0; app.hints.length < count && waited < 5_000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(app.hints).toHaveLength(count);
      return app.hints[count - 1];
    },
  } as HintedApp;
  beforeAll(async () => {
    app.fixture = writeManyCustomersLanding(customers, readings);
    app.t = await buildTestApp({ landing: app.fixture.landing, config: { workers: 2, ...config } });
    readAheadOf(app.t.lake.services).relay = (h) => app.hints.push(h);
  });
  afterAll(() => app.t.close());
  beforeEach(() => void (app.hints.length = 0));
  return app;
}
