import { buildTestLake, type TestLake } from '../helpers/test-lake';
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
    ['from after to', () => '{ stepTrainerReadings(filter: { from: 2000, to: 1000 }) { totalCount } }', /`from` \(2000\) after `to` \(1000\)/],
    ['a nested from after to', () => '{ customers { edges { node { accelerometerReadings(filter: { from: 5, to: 4 }) { totalCount } } } } }', /after `to`/],
    ['registeredFrom after registeredTo', () => '{ customers(filter: { registeredFrom: 10, registeredTo: 9 }) { totalCount } }', /after `to`/],
    ['a cursor that is not base64url', () => '{ customers(after: "not a cursor!") { totalCount } }', /not a cursor this API issued/],
    ['a cursor of JSON junk', () => `{ customers(after: "${b64('{"k":"Customer","v":"x","p":[1]}')}") { totalCount } }`, /not a cursor this API issued/],
    ['a cursor that is not JSON', () => `{ customers(after: "${b64('hello')}") { totalCount } }`, /not a cursor this API issued/],
    ['a cursor with the wrong key shape', () => `{ customers(after: "${b64(JSON.stringify({ ...JSON.parse(Buffer.from(customerCursor, 'base64url').toString()), p: [1] }))}") { totalCount } }`, /not a cursor this API issued/],
    ['a cursor from another connection field', () => `{ accelerometerReadings(after: "${customerCursor}") { totalCount } }`, /issued by another field/],
    ['a step trainer cursor on machine learning samples', () => `{ machineLearningSamples(after: "${readingCursor}") { totalCount } }`, /issued by another field/],
    ['a nested cursor of another customer', () => `{ customer(serialNumber: "${serial}") { stepTrainerReadings(after: "${otherCustomersReadingCursor}") { totalCount } } }`, /belongs to another customer/],
    ['an empty splitSeed', () => '{ machineLearningSamples(split: TRAIN, splitSeed: "") { totalCount } }', /splitSeed must be 1 to 200 characters/],
    ['a splitSeed too long', () => `{ machineLearningSamples(splitSeed: "${'s'.repeat(201)}") { totalCount } }`, /splitSeed must be 1 to 200 characters/],
    ['an empty serialNumber filter', () => '{ accelerometerReadings(filter: { serialNumber: "" }) { totalCount } }', /serialNumber must be 1 to 200 characters/],
    ['an empty customer serialNumber', () => '{ customer(serialNumber: "") { serialNumber } }', /serialNumber must be 1 to 200 characters/],
  ];

  it.each(cases)('answers %s with BAD_USER_INPUT and a message saying what to fix', async (_name, query, message) => {
    const result = await runGraphql(lake.services, ANALYST, query());
    expect(errorCodes(result)).toEqual(['BAD_USER_INPUT']);
    expect(result.errors![0].message).toMatch(message);
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
