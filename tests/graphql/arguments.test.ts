import { buildTestLake, type TestLake } from '../helpers/test-lake';
import { cursorFields, forgedCursor } from '../helpers/forged-cursor';
import { writeManyCustomersLanding } from '../helpers/many-customers-landing';
import { ANALYST, errorCodes, queryData, runGraphql } from '../helpers/run-graphql';

const b64 = (text: string): string => Buffer.from(text).toString('base64url');

describe('argument checks', () => {
  let lake: TestLake;
  let customerCursor: string;
  let readingCursor: string;
  let otherCustomersReadingCursor: string;
  let serial: string;
  beforeAll(async () => {
    lake = await buildTestLake({ landing: writeManyCustomersLanding(6, 3).landing, config: { maxPageSize: 50 } });
    const data = await queryData(lake.services, ANALYST, '{ customers(first: 2) { edges { cursor node { serialNumber stepTrainerReadings(first: 1) { pageInfo { endCursor } } } } } }');
    customerCursor = data.customers.edges[0].cursor;
    serial = data.customers.edges[0].node.serialNumber;
    readingCursor = data.customers.edges[0].node.stepTrainerReadings.pageInfo.endCursor;
    otherCustomersReadingCursor = data.customers.edges[1].node.stepTrainerReadings.pageInfo.endCursor;
  });
  afterAll(() => lake.close());

  const cases: [string, () => string, RegExp][] = [
    ['first: 0', () => '{ customers(first: 0) { totalCount } }', /1 to 50; received 0/],
    ['a negative first', () => '{ accelerometerReadings(first: -5) { totalCount } }', /1 to 50; received -5/],
    ['first above the maximum', () => '{ machineLearningSamples(first: 51) { totalCount } }', /1 to 50; received 51/],
    ['a nested first above the maximum', () => '{ customers { edges { node { stepTrainerReadings(first: 1000) { totalCount } } } } }', /1 to 50/],
    ['from after to', () => '{ stepTrainerReadings(filter: { from: 1655000002000, to: 1655000001000 }) { totalCount } }', /`from` \(1655000002000\) after `to` \(1655000001000\)/],
    ['a nested from after to', () => '{ customers { edges { node { accelerometerReadings(filter: { from: 1655000000005, to: 1655000000004 }) { totalCount } } } } }', /after `to`/],
    ['registeredFrom after registeredTo', () => '{ customers(filter: { registeredFrom: 1655000000010, registeredTo: 1655000000009 }) { totalCount } }', /`registeredFrom` \(1655000000010\) after `registeredTo` \(1655000000009\)/],
    // A date in seconds, taken as milliseconds, matched every row (from) or none (to), silently.
    ['a from in seconds', () => '{ stepTrainerReadings(filter: { from: 1655564000 }) { totalCount } }', /^`from` in the filter of stepTrainerReadings must be epoch milliseconds; received 1655564000, which is 1970-01-20 in milliseconds and reads as seconds: send 1655564000000 \(2022-06-18T14:53:20.000Z\)$/],
    ['a to in seconds beside a from in milliseconds', () => '{ machineLearningBatch(filter: { from: 1655000000000, to: 1655564000 }) { rowCount } }', /^`to` in the filter of machineLearningBatch must be epoch milliseconds; received 1655564000/],
    ['a nested to in seconds', () => '{ customers { edges { node { accelerometerReadings(filter: { to: 99999999999 }) { totalCount } } } } }', /^`to` in the filter of Customer.accelerometerReadings must be epoch milliseconds; received 99999999999/],
    ['a registeredFrom in seconds', () => '{ customers(filter: { registeredFrom: 1655564000 }) { totalCount } }', /^`registeredFrom` in the filter of customers must be epoch milliseconds; received 1655564000/],
    ['a cursor that is not base64url', () => '{ customers(after: "not a cursor!") { totalCount } }', /not a cursor this API issued/],
    ['a cursor of JSON junk', () => `{ customers(after: "${b64('{"k":"Customer","v":"x","p":[1]}')}") { totalCount } }`, /not a cursor this API issued/],
    ['a cursor that is not JSON', () => `{ customers(after: "${b64('hello')}") { totalCount } }`, /not a cursor this API issued/],
    ['a cursor with the wrong key shape', () => `{ customers(after: "${forgedCursor(customerCursor, { p: [1] })}") { totalCount } }`, /not a cursor this API issued/],
    ['a cursor from another connection field', () => `{ accelerometerReadings(after: "${customerCursor}") { totalCount } }`, /issued by another field/],
    ['a step trainer cursor on machine learning samples', () => `{ machineLearningSamples(after: "${readingCursor}") { totalCount } }`, /issued by another field/],
    ['a nested cursor of another customer', () => `{ customer(serialNumber: "${serial}") { stepTrainerReadings(after: "${otherCustomersReadingCursor}") { totalCount } } }`, /belongs to another customer/],
    ['an empty splitSeed', () => '{ machineLearningSamples(split: TRAIN, splitSeed: "") { totalCount } }', /splitSeed must be 1 to 200 characters; received 0 characters/],
    ['a splitSeed too long', () => `{ machineLearningSamples(splitSeed: "${'s'.repeat(201)}") { totalCount } }`, /splitSeed must be 1 to 200 characters; received 201 characters/],
    ['a splitSeed of 201 emoji', () => `{ machineLearningSamples(split: TRAIN, splitSeed: "${'🙂'.repeat(201)}") { totalCount } }`, /splitSeed must be 1 to 200 characters; received 201 characters/],
    // Checked per customer on a nested field whose arguments have rules (those without any skip class-validator).
    ['a nested splitSeed too long', () => `{ customers { edges { node { machineLearningSamples(splitSeed: "${'s'.repeat(201)}") { totalCount } } } } }`, /splitSeed must be 1 to 200 characters; received 201 characters/],
    ['a splitSeed without a split', () => '{ machineLearningSamples(splitSeed: "exp1") { totalCount } }', /splitSeed only applies to a split: add split \(TRAIN, VALIDATION, TEST\)/],
    ['a splitSeed without a split on the columnar batch', () => '{ machineLearningBatch(splitSeed: "exp1") { rowCount } }', /splitSeed only applies to a split/],
    ['a nested splitSeed without a split', () => '{ customers { edges { node { machineLearningSamples(splitSeed: "exp1") { totalCount } } } } }', /splitSeed only applies to a split/],
    ['an empty serialNumber filter', () => '{ accelerometerReadings(filter: { serialNumber: "" }) { totalCount } }', /filter.serialNumber must be 1 to 200 characters; received 0 characters/],
    ['an empty customer serialNumber', () => '{ customer(serialNumber: "") { serialNumber } }', /serialNumber must be 1 to 200 characters/],
  ];

  it.each(cases)('answers %s with BAD_USER_INPUT and a message saying what to fix', async (_name, query, message) => {
    const result = await runGraphql(lake.services, ANALYST, query());
    // A nested argument is checked under each customer: one error per customer, all the same.
    expect(new Set(errorCodes(result))).toEqual(new Set(['BAD_USER_INPUT']));
    expect(new Set(result.errors!.map((e) => e.message)).size).toBe(1);
    expect(result.errors![0].message).toMatch(message);
  });

  it('accepts a splitSeed of 200 characters counted as people count them (an emoji is one)', async () => {
    for (const seed of ['s'.repeat(200), '🙂'.repeat(150), '🙂'.repeat(200)]) {
      const result = await runGraphql(lake.services, ANALYST, `{ machineLearningSamples(first: 1, split: TRAIN, splitSeed: "${seed}") { totalCount } }`);
      expect(result.errors).toBeUndefined();
    }
  });

  it('accepts the largest allowed page and a nested cursor on its own customer', async () => {
    const result = await runGraphql(
      lake.services,
      ANALYST,
      `{ machineLearningSamples(first: 50) { totalCount } customer(serialNumber: "${serial}") { stepTrainerReadings(after: "${readingCursor}") { edges { node { sensorReadingTime } } } } }`,
    );
    expect(result.errors).toBeUndefined();
    expect(result.data!.customer.stepTrainerReadings.edges).toHaveLength(2);
  });
});

describe('cursors bound to the arguments of their page', () => {
  let lake: TestLake;
  beforeAll(async () => {
    lake = await buildTestLake({ landing: writeManyCustomersLanding(40, 3).landing });
  });
  afterAll(() => lake.close());

  const endCursor = async (document: string): Promise<string> => {
    const data = await queryData(lake.services, ANALYST, document);
    const connection = Object.values(data)[0] as { pageInfo: { endCursor: string } };
    return connection.pageInfo.endCursor;
  };
  const refusal = async (document: string): Promise<string> => {
    const result = await runGraphql(lake.services, ANALYST, document);
    expect(errorCodes(result)).toEqual(['BAD_USER_INPUT']);
    return result.errors![0].message;
  };

  it('refuses a TRAIN cursor on TEST, and one of another splitSeed, saying which argument differs', async () => {
    const train = await endCursor('{ machineLearningSamples(first: 2, split: TRAIN) { pageInfo { endCursor } } }');
    expect(await refusal(`{ machineLearningSamples(first: 2, split: TEST, after: "${train}") { totalCount } }`)).toMatch(/another `split` argument/);
    expect(await refusal(`{ machineLearningSamples(first: 2, split: TRAIN, splitSeed: "other", after: "${train}") { totalCount } }`)).toMatch(/another `splitSeed` argument/);
    const page = await queryData(lake.services, ANALYST, `{ machineLearningSamples(first: 2, split: TRAIN, after: "${train}") { edges { node { serialNumber } } } }`);
    expect(page.machineLearningSamples.edges).toHaveLength(2);
  });

  it('refuses a cursor of another filter instead of silently dropping rows', async () => {
    const filtered = await endCursor('{ stepTrainerReadings(first: 2, filter: { from: 0 }) { pageInfo { endCursor } } }');
    expect(await refusal(`{ stepTrainerReadings(first: 2, after: "${filtered}") { totalCount } }`)).toMatch(/another `filter` argument/);
  });

  it('refuses a top-level cursor on the nested field of the same kind', async () => {
    const top = await endCursor('{ stepTrainerReadings(first: 1) { pageInfo { endCursor } } }');
    const data = await queryData(lake.services, ANALYST, '{ stepTrainerReadings(first: 1) { edges { node { serialNumber } } } }');
    const serial = data.stepTrainerReadings.edges[0].node.serialNumber;
    expect(await refusal(`{ customer(serialNumber: "${serial}") { stepTrainerReadings(after: "${top}") { totalCount } } }`)).toMatch(/issued by another field/);
  });

  it.each([1e308, -1e308, 2 ** 63, 1.5])('refuses a cursor whose time is %s with BAD_USER_INPUT, not an internal error', async (time) => {
    const real = await endCursor('{ stepTrainerReadings(first: 1) { pageInfo { endCursor } } }');
    const p = cursorFields(real).p as unknown[];
    const forged = forgedCursor(real, { p: [p[0], time, p[2]] });
    expect(await refusal(`{ stepTrainerReadings(first: 1, after: "${forged}") { totalCount } }`)).toMatch(/not a cursor this API issued/);
  });
});
