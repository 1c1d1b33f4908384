import { getIntrospectionQuery } from 'graphql';
import request from 'supertest';
import { ANALYST_KEY, buildTestApp, type TestApp } from '../helpers/http-app';
import { writeManyCustomersLanding } from '../helpers/many-customers-landing';

/** The requests a hostile analyst sent (issue 10), each refused fast with a typed code, never an internal error. */

const codesOf = (body: { errors?: Array<{ extensions?: { code?: string } }> }): (string | undefined)[] => (body.errors ?? []).map((e) => e.extensions?.code);
const SCAN = 'machineLearningSamples(first: 10000) { edges { node { customer { accelerometerReadings(first: 10000) { edges { node { x } } } } } } }';

describe('hostile requests', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ landing: writeManyCustomersLanding(8, 2).landing });
  });
  afterAll(() => t.close());

  it('refuses a scan over the cost limit, alone and next to a 2,400-level introspection chain that used to switch the limit off', async () => {
    const alone = await t.graphql(`{ ${SCAN} }`, ANALYST_KEY);
    expect(alone.status).toBe(400);
    expect(alone.body.errors[0].message).toMatch(/estimated cost is [\d,]+, above the limit/);
    const chain = `__type(name: "Query") { ${'ofType { '.repeat(2400)}name${' }'.repeat(2400)} }`;
    const both = await t.graphql(`{ ${chain} ${SCAN} }`, ANALYST_KEY);
    expect(both.status).toBe(400);
    expect(both.body.data).toBeUndefined();
    expect(codesOf(both.body)).not.toContain('INTERNAL_SERVER_ERROR');
  });

  it('answers the full introspection query GraphiQL and client code generators send, within every limit', async () => {
    const query = getIntrospectionQuery({ descriptions: true, inputValueDeprecation: true, specifiedByUrl: true, directiveIsRepeatable: true, schemaDescription: true });
    const res = await t.graphql(query, ANALYST_KEY);
    expect(res.status).toBe(200);
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.__schema.queryType.name).toBe('Query');
  });

  it('refuses introspection nested past the depth limit, however few tokens it has', async () => {
    const deep = `{ __type(name: "Query") { ${'ofType { '.repeat(20)}name${' }'.repeat(20)} } }`;
    const res = await t.graphql(deep, ANALYST_KEY);
    expect(res.status).toBe(400);
    expect(codesOf(res.body)).toEqual(['BAD_USER_INPUT']);
    expect(res.body.errors[0].message).toMatch(/depth limit of 15 exceeded/);
  });

  it('answers three different 20 KB introspection documents without an internal error, /healthz in between', async () => {
    // A 20 KB name literal is one token: such documents pass the token limit and reach execution (never compiled, see jit-executor).
    for (let i = 0; i < 3; i += 1) {
      const res = await t.graphql(`{ __type(name: "${String(i).repeat(20_000)}") { name } __schema { types { name fields { name type { name ofType { name } } } } } }`, ANALYST_KEY);
      expect(res.status).toBe(200);
      expect(res.body.data.__type).toBeNull();
      expect(res.body.data.__schema.types.length).toBeGreaterThan(10);
      expect((await request(t.server).get('/healthz')).status).toBe(200);
    }
  });

  it('prices totalCount as a scan: 400 aliased counts with different seeds are refused before any runs', async () => {
    const aliases = Array.from({ length: 400 }, (_, i) => `c${i}: machineLearningSamples(first: 1, split: TEST, splitSeed: "s${i}") { totalCount }`).join(' ');
    const res = await t.graphql(`{ ${aliases} }`, ANALYST_KEY);
    expect(res.status).toBe(400);
    expect(codesOf(res.body)).toEqual(['GRAPHQL_PARSE_FAILED']); // the token limit stops it first
    const costed = await t.graphql(`{ ${aliases.split(' c12:')[0]} }`, ANALYST_KEY); // 12 aliases: within the alias limit, over the cost
    expect(costed.status).toBe(400);
    expect(costed.body.errors[0].message).toMatch(/estimated cost is 1,2[\d,]+, above the limit of 1,000,000.*totalCount/);
  });

  it('refuses eleven aliased 10,000-row pages, within the alias and cost limits, by the rows a request may ask for', async () => {
    // Answered, they held the worker's event loop for 2–5 s: every other client's query on it waited that long.
    const page = (alias: string): string => `${alias}: machineLearningSamples(first: 10000) { edges { node { serialNumber sensorReadingTime sensorReadingTimeIso distanceFromObject x y z } } }`;
    const eleven = `{ ${Array.from({ length: 11 }, (_, i) => page(`p${i}`)).join(' ')} }`;
    const res = await t.graphql(eleven, ANALYST_KEY);
    expect(res.status).toBe(400);
    expect(codesOf(res.body)).toEqual(['BAD_USER_INPUT']);
    expect(res.body.errors[0].message).toMatch(/asks for up to 110,000 rows, above the limit of 50,000 rows a request \(STEDI_MAX_REQUEST_ROWS\)/);
    expect(res.body.errors[0].message).toContain('rows per page (first)'); // the Python client says it as its page_size
    expect(res.body.data).toBeUndefined();
    // One such page alone is answered as before.
    const one = await t.graphql(`{ ${page('p0')} }`, ANALYST_KEY);
    expect(one.status).toBe(200);
    expect(one.body.errors).toBeUndefined();
  });

  it('counts a nested page once for each row of the page it is in, and answers what stays within the bound', async () => {
    const nested = (customers: number) => `{ customers(first: ${customers}) { edges { node { stepTrainerReadings(first: 100) { edges { node { sensorReadingTime } } } } } } }`;
    const over = await t.graphql(nested(1000), ANALYST_KEY);
    expect(over.status).toBe(400);
    expect(over.body.errors[0].message).toMatch(/asks for up to 101,000 rows, above the limit of 50,000/);
    expect((await t.graphql(nested(100), ANALYST_KEY)).body.errors).toBeUndefined(); // 10,100 rows
    // Full pages side by side (a training, a validation and a test page) are answered.
    const split = (name: string, first: string) => `${name.toLowerCase()}: machineLearningSamples(first: ${first}, split: ${name}) { edges { node { x } } }`;
    const three = await t.graphql(`{ ${['TRAIN', 'VALIDATION', 'TEST'].map((name) => split(name, '10000')).join(' ')} }`, ANALYST_KEY);
    expect(three.status).toBe(200);
    expect(three.body.errors).toBeUndefined();
    // A first above the page size is refused by its own check, which says the range, not by the rows it would ask.
    const tooLarge = await t.graphql('{ customers(first: 4) { edges { node { stepTrainerReadings(first: 20000) { edges { node { sensorReadingTime } } } } } } }', ANALYST_KEY);
    expect(tooLarge.body.errors[0].message).toMatch(/`first` of .*stepTrainerReadings must be a whole number from 1 to 10000; received 20000/);
    // Page sizes in variables: the same text is answered or refused by their values (its estimates are kept by them).
    const byVariable = `query Nested($n: Int) { customers(first: $n) { edges { node { stepTrainerReadings(first: 100) { edges { node { sensorReadingTime } } } } } } }`;
    expect((await t.graphql(byVariable, ANALYST_KEY, { n: 400 })).body.errors).toBeUndefined();
    const larger = await t.graphql(byVariable, ANALYST_KEY, { n: 500 });
    expect(larger.status).toBe(400);
    expect(larger.body.errors[0].message).toMatch(/asks for up to 50,500 rows, above the limit of 50,000/);
    expect((await t.graphql(byVariable, ANALYST_KEY, { n: 400 })).body.errors).toBeUndefined();
  });

  it('says a `first` so far above the page size that the cost or rows limit would refuse it as the page size, naming the argument, the value and the maximum', async () => {
    // It was the cost limit's "estimated cost is 1,600,001": a notebook asking every row at once was not told the page size.
    const row = 'edges { node { serialNumber sensorReadingTime distanceFromObject x y z } }';
    const pages = [
      [`{ machineLearningSamples(first: 200000) { ${row} } }`, {}, 'machineLearningSamples', 200000],
      [`query Page($n: Int) { machineLearningBatch(first: $n) { rowCount columns { x y z } } }`, { n: 1_000_000 }, 'machineLearningBatch', 1000000],
      ['{ customers(first: 20000) { edges { node { stepTrainerReadings(first: 10) { edges { node { x: distanceFromObject } } } } } } }', {}, 'customers', 20000],
      ['{ customers(first: 2) { edges { node { accelerometerReadings(first: 2000000) { edges { node { x } } } } } } }', {}, 'Customer.accelerometerReadings', 2000000],
    ] as const;
    for (const [query, variables, field, first] of pages) {
      const res = await t.graphql(query, ANALYST_KEY, variables);
      expect(res.status).toBe(400);
      expect(codesOf(res.body)).toEqual(['BAD_USER_INPUT']);
      expect(res.body.errors[0].message).toBe(`\`first\` of ${field} must be a whole number from 1 to 10000; received ${first}`);
    }
    // A page within the size whose fields cost too much is still the cost limit's to refuse.
    const nested = await t.graphql('{ customers(first: 10000) { edges { node { stepTrainerReadings(first: 10000) { edges { node { sensorReadingTime } } } } } } }', ANALYST_KEY);
    expect(nested.body.errors[0].message).toMatch(/estimated cost is [\d,]+, above the limit/);
  });

  it.each([
    ['an Int above 2^31', 'query($n: Int) { customers(first: $n) { totalCount } }', { n: 2147483648 }, /Int cannot represent non 32-bit signed integer value/],
    ['a SafeInt as a string', 'query($t: SafeInt) { stepTrainerReadings(filter: { from: $t }) { totalCount } }', { t: '1655564000000' }, /SafeInt/],
    ['a SafeInt of 1e300', 'query($t: SafeInt) { stepTrainerReadings(filter: { from: $t }) { totalCount } }', { t: 1e300 }, /SafeInt/],
    ['a SafeInt as an operator object', 'query($t: SafeInt) { stepTrainerReadings(filter: { from: $t }) { totalCount } }', { t: { $gt: 0 } }, /SafeInt/],
    ['an array for a String', 'query($s: String) { customers(after: $s) { totalCount } }', { s: ['a', 'b'] }, /String cannot represent a non string value/],
    ['a Split that does not exist', 'query($s: Split) { machineLearningSamples(split: $s) { totalCount } }', { s: 'TRAINING' }, /"TRAINING" does not exist in "Split" enum/],
    ['a missing required variable', 'query($s: Split!) { machineLearningSamples(split: $s) { totalCount } }', {}, /"\$s" of required type "Split!" was not provided/],
  ])('answers %s as BAD_USER_INPUT with graphql-js\'s message, on the executor the server runs', async (_what, query, variables, message) => {
    const res = await t.graphql(query, ANALYST_KEY, variables);
    expect(res.status).toBe(400);
    expect(codesOf(res.body)).toEqual(['BAD_USER_INPUT']);
    expect(res.body.errors[0].message).toMatch(message);
    expect(res.body.errors[0].message).not.toMatch(/internal error/);
  });

  it('says a time filter sent as a string (digits or a date) is refused for its quotes, as a variable and as a literal', async () => {
    // It said "SafeInt cannot represent non-integer value: 1655564000000", the quotes dropped: a whole number refused as not whole.
    const byVariable = 'query($t: SafeInt) { stepTrainerReadings(filter: { from: $t }) { totalCount } }';
    for (const sent of ['1655564000000', '2022-06-18']) {
      const res = await t.graphql(byVariable, ANALYST_KEY, { t: sent });
      expect(res.status).toBe(400);
      expect(codesOf(res.body)).toEqual(['BAD_USER_INPUT']);
      expect(res.body.errors[0].message).toBe(`Variable "$t" got invalid value "${sent}"; SafeInt cannot represent a string: send epoch milliseconds as a number, without quotes (such as 1655564000000)`);
    }
    const literal = await t.graphql('{ customers(filter: { registeredFrom: "1655564000000" }) { totalCount } }', ANALYST_KEY);
    expect(literal.status).toBe(400);
    expect(literal.body.errors[0].message).toBe('SafeInt cannot represent a string: "1655564000000"; send epoch milliseconds as a number, without quotes (such as 1655564000000)');
    // A number is still taken, and a fraction still refused as graphql-scalars says it.
    expect((await t.graphql(byVariable, ANALYST_KEY, { t: 1655564000000 })).body.errors).toBeUndefined();
    expect((await t.graphql(byVariable, ANALYST_KEY, { t: 1.5 })).body.errors[0].message).toMatch(/SafeInt cannot represent non-integer value: 1.5/);
  });

  it('says how many characters an empty or over-long serialNumber filter or splitSeed held, as the customer field does', async () => {
    // It said only "must be 1 to 200 characters": an empty string from an unset notebook variable was not named as one.
    const query = 'query($s: String, $seed: String) { stepTrainerReadings(filter: { serialNumber: $s }) { totalCount } machineLearningSamples(split: TEST, splitSeed: $seed) { totalCount } }';
    const res = await t.graphql(query, ANALYST_KEY, { s: '', seed: 's'.repeat(201) });
    expect(res.status).toBe(200);
    expect(res.body.errors.map((e: { message: string }) => e.message).sort()).toEqual([
      'invalid argument: filter.serialNumber must be 1 to 200 characters; received 0 characters',
      'invalid argument: splitSeed must be 1 to 200 characters; received 201 characters',
    ]);
    expect(codesOf(res.body)).toEqual(['BAD_USER_INPUT', 'BAD_USER_INPUT']);
  });

  it('refuses a variable object of thousands of unknown fields by its first, in a short message, and keeps answering', async () => {
    // graphql-js wrote the whole object into the error of each unknown field, and the cost estimate coerced them all:
    // 60,000 keys (a 700 KB body) made 60,000 messages of 60,000 keys each and ran the server out of heap.
    const keys = Object.fromEntries(Array.from({ length: 3_000 }, (_, i) => [`k${i}`, i]));
    const res = await t.graphql('query Q($f: CustomerFilter) { customers(first: 1, filter: $f) { totalCount } }', ANALYST_KEY, { f: keys });
    expect(res.status).toBe(400);
    expect(codesOf(res.body)).toEqual(['BAD_USER_INPUT']);
    const [{ message }] = res.body.errors as Array<{ message: string }>;
    // Refused by its size before graphql-js coerces it (variable-size.ts): none of the client's keys is quoted.
    expect(message).toBe('Variable "$f" has 3000 fields; CustomerFilter has 3 (serialNumber, registeredFrom, registeredTo): send only those');
    expect(message.length).toBeLessThan(1_000);
    expect((await t.graphql('{ customers(first: 1) { totalCount } }', ANALYST_KEY)).body.errors).toBeUndefined();
  });

  it('answers a document of 300 unknown fields with its first 10 validation errors and a line saying validation stopped (graphql-js went on to 100)', async () => {
    const unknown = await t.graphql(`{ ${Array.from({ length: 300 }, (_, i) => `f${i}`).join(' ')} }`, ANALYST_KEY);
    expect(unknown.status).toBe(400);
    const messages = (unknown.body.errors as { message: string }[]).map((e) => e.message);
    expect(messages.slice(0, 10)).toEqual(Array.from({ length: 10 }, (_, i) => `Cannot query field "f${i}" on type "Query".`));
    expect(messages.slice(10)).toEqual([expect.stringMatching(/^Too many validation errors/)]);
  });
});
