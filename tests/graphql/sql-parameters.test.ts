import type { Engine, SqlValue } from '../../etl/engine/engine';
import { executionParameters } from '../../etl/engine/athena/parameters';
import { machineLearningExportQuery } from '../../src/graphql/machine-learning-export';
import { countingEngine, type CountingEngine } from '../helpers/counting-engine';
import { buildTestLake, type TestLake } from '../helpers/test-lake';
import { customerRecord, writeLanding } from '../helpers/landing-fixture';
import { nameOf, serialOf, writeManyCustomersLanding } from '../helpers/many-customers-landing';
import { ADMIN, queryData } from '../helpers/run-graphql';
import { sqlParseErrors } from '../helpers/sql-grammar';

/** Requests that together use every query shape the resolvers build. */
const REQUESTS = [
  '{ customers(first: 3, filter: { registeredFrom: 100000000000, registeredTo: 1700000000000 }) { totalCount edges { cursor node { serialNumber } } } }',
  `{ customers(first: 3) { edges { node {
      accelerometerReadings(first: 2, filter: { from: 100000000000, to: 1700000000000 }) { totalCount edges { node { x customer { serialNumber } } } }
      stepTrainerReadings(first: 2) { totalCount edges { node { distanceFromObject customer { email } } } }
      machineLearningSamples(first: 2, split: VALIDATION, splitSeed: "s", filter: { from: 100000000000 }) { totalCount edges { node { x } } }
  } } } }`,
  '{ accelerometerReadings(first: 2, filter: { serialNumber: "serial-0001", from: 100000000000, to: 1700000000000 }) { totalCount pageInfo { endCursor } } }',
  '{ stepTrainerReadings(first: 2, filter: { serialNumber: "serial-0001" }) { totalCount pageInfo { endCursor } } }',
  '{ machineLearningSamples(first: 2, split: TEST, filter: { serialNumber: "serial-0001", to: 1700000000000 }) { totalCount pageInfo { endCursor } } }',
  '{ customer(serialNumber: "serial-0002") { serialNumber } }',
];

describe('the SQL the resolvers send', () => {
  let lake: TestLake;
  let counting: CountingEngine;
  beforeAll(async () => {
    const fixture = writeManyCustomersLanding(12, 3);
    lake = await buildTestLake({
      landing: fixture.landing,
      // No background refresh during the test: only the API's own queries are recorded.
      config: { consentRefreshMs: 3_600_000 },
      wrapEngine: (engine: Engine) => {
        counting = countingEngine(engine);
        return counting.engine;
      },
    });
    // A revocation after the build, so every query carries a consent exclusion.
    writeLanding(fixture.landing, 'customer', [customerRecord({ name: nameOf(2), serial: serialOf(2), consentAt: null, updatedAt: 1_700_000_000_000 })], 'customer-2.json');
    await lake.services.consent.refresh();
    // Once-per-version work, not a customer-linked query: whether the version stores the readings' serialNumber.
    await queryData(lake.services, ADMIN, '{ accelerometerReadings(first: 1) { pageInfo { endCursor } } }');
    const start = counting.queries.length;
    for (const request of REQUESTS) await queryData(lake.services, ADMIN, request);
    // Second pages: the keyset conditions.
    for (const field of ['accelerometerReadings', 'stepTrainerReadings', 'machineLearningSamples', 'customers']) {
      const first = await queryData(lake.services, ADMIN, `{ page: ${field}(first: 2) { pageInfo { endCursor } } }`);
      await queryData(lake.services, ADMIN, `{ page: ${field}(first: 2, after: "${first.page.pageInfo.endCursor}") { totalCount } }`);
    }
    const nested = await queryData(lake.services, ADMIN, '{ customer(serialNumber: "serial-0003") { stepTrainerReadings(first: 1) { pageInfo { endCursor } } } }');
    await queryData(lake.services, ADMIN, `{ customer(serialNumber: "serial-0003") { stepTrainerReadings(first: 1, after: "${nested.customer.stepTrainerReadings.pageInfo.endCursor}") { totalCount } } }`);
    const exported = await machineLearningExportQuery(lake.services, { split: 'TRAIN', splitSeed: 'x' });
    counting.queries.push(exported.sql);
    counting.params.push(exported.params);
    counting.queries.splice(0, start);
    counting.params.splice(0, start);
  });
  afterAll(() => lake.close());

  it('excludes the revoked customer with bound parameters in every customer-linked query', () => {
    expect(counting.queries.length).toBeGreaterThan(15);
    counting.queries.forEach((sql, i) => {
      expect(sql).toMatch(/NOT IN \(\?\)/);
      expect(counting.params[i]).toContain(serialOf(2));
    });
  });

  it('puts every ? parameter inside a WHERE clause, as Athena requires', () => {
    expect(counting.queries.length).toBeGreaterThan(15);
    counting.queries.forEach((sql, i) => {
      expect(() => executionParameters(sql, counting.params[i] as SqlValue[])).not.toThrow();
    });
  });

  it('writes SQL that the Trino (Athena) grammar parses', () => {
    const errors = sqlParseErrors(counting.queries.map((sql) => ({ sql, grammar: 'trino' as const })));
    expect(errors.filter((e) => e.length > 0)).toEqual([]);
  });
});
