import fc from 'fast-check';
import { connect, type AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import zlib from 'node:zlib';
import http from 'node:http';
import pino from 'pino';
import request from 'supertest';
import type { Engine } from '../../etl/engine/engine';
import { withArgumentHint } from '../../src/http/argument-hints';
import { ADMIN_KEY, ANALYST_KEY, buildTestApp, type TestApp } from '../helpers/http-app';
import { writeSmallLanding } from '../helpers/landing-fixture';

/** Request ids, body limit, limits on depth and cost, and what an internal error shows. */

const SQL_ERROR = 'Binder Error: Referenced column "secret_column" not found in SELECT * FROM "v_1"."customer_curated" WHERE ? = 1';

/** Generated values are seeded; the seed is in the describe name (STEDI_PROPERTY_SEED replays it). */
const SEED = Number(process.env.STEDI_PROPERTY_SEED ?? Math.floor(Math.random() * 2 ** 31));

describe(`request handling and errors (seed ${SEED})`, () => {
  let t: TestApp;
  const logs: string[] = [];
  let breakEngine = false;
  beforeAll(async () => {
    const sink = new Writable({
      write(chunk, _encoding, done) {
        logs.push(String(chunk));
        done();
      },
    });
    const breakable = (engine: Engine): Engine =>
      new Proxy(engine, {
        get(target, property) {
          const value = Reflect.get(target, property);
          if (property === 'query') return (...args: Parameters<Engine['query']>) => (breakEngine ? Promise.reject(new Error(SQL_ERROR)) : target.query(...args));
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
    t = await buildTestApp({ landing: writeSmallLanding(), logger: pino({ level: 'info' }, sink), wrapEngine: breakable, config: { bodyLimit: '2kb', limits: { maxDepth: 5, maxComplexity: 5_000, totalCountCost: 100 } } });
  });
  afterAll(() => t.close());

  it('says what to write instead of an argument Relay or PostGraphile clients send that this API has not (last, orderBy, …)', async () => {
    const refusal = async (document: string) => {
      const res = await t.graphql(document, ANALYST_KEY);
      expect(res.status).toBe(400);
      expect(res.body.errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
      return res.body.errors[0].message as string;
    };
    expect(await refusal('{ machineLearningSamples(last: 5) { nodes { x } } }')).toBe(
      'Unknown argument "last" on field "Query.machineLearningSamples": paging is forward only: pass `first`, then each page\'s pageInfo.endCursor as `after`.',
    );
    expect(await refusal('{ customers(first: 1) { nodes { stepTrainerReadings(orderBy: X_ASC) { totalCount } } } }')).toMatch(/^Unknown argument "orderBy" on field "Customer\.stepTrainerReadings": each field has one order, which its description names/);
    expect(await refusal('{ customers(constructor: 1) { totalCount } }')).toBe('Unknown argument "constructor" on field "Query.customers".');
    // Any other message, however it is made, is left as it is.
    fc.assert(
      fc.property(fc.string(), fc.string(), (name, field) => {
        const message = `Unknown argument "${name}" on field "Query.${field}".`;
        expect(withArgumentHint(message) === message).toBe(!(['last', 'before', 'offset', 'orderBy', 'condition'].includes(name) && /^\w+$/.test(field)));
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('echoes the X-Request-Id the client sent', async () => {
    const res = await t.graphql('{ lake { liveVersion } }', ANALYST_KEY).set('x-request-id', 'nb-42.page-7');
    expect(res.headers['x-request-id']).toBe('nb-42.page-7');
    expect(res.body.errors).toBeUndefined();
  });

  it('makes up a request id when none (or an unusable one) was sent, on every route', async () => {
    for (const res of [await request(t.server).get('/healthz'), await t.graphql('{ lake { liveVersion } }', null), await request(t.server).get('/healthz').set('x-request-id', 'bad id\twith spaces')]) {
      expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('answers an internal error with its request id and no SQL, and logs the details with that id', async () => {
    breakEngine = true;
    let res: request.Response;
    try {
      res = await t.graphql('{ customers(first: 1) { totalCount } }', ANALYST_KEY).set('x-request-id', 'broken-1');
    } finally {
      breakEngine = false;
    }
    expect(res.body.errors).toHaveLength(1);
    expect(res.body.errors[0].extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR' });
    expect(res.body.errors[0].message).toMatch(/^internal error \(request id broken-1\)/);
    const body = JSON.stringify(res.body);
    for (const leak of ['SELECT', 'secret_column', 'customer_curated', 'stack', 'Binder']) expect(body).not.toContain(leak);
    const logged = logs.filter((l) => l.includes('"requestId":"broken-1"'));
    expect(logged.some((l) => l.includes('secret_column'))).toBe(true);
  });

  it('logs a caller mistake at info with its message, never at error', async () => {
    const res = await t.graphql('query($n: Int) { customers(first: $n) { totalCount } }', ANALYST_KEY, { n: 'ten' }).set('x-request-id', 'wrong-variable-1');
    expect(res.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    const lines = logs.filter((l) => l.includes('"requestId":"wrong-variable-1"')).map((l) => JSON.parse(l) as { level: number; message?: string; msg: string });
    // The value the client sent is not logged (it could be personal): only that it was refused and where.
    expect(lines.some((l) => l.level === 30 && l.message === 'Variable "$n" got invalid value …')).toBe(true);
    expect(lines.filter((l) => l.level >= 50)).toEqual([]);
  });

  it(`never logs a key the client sent in a refused variable's object, which graphql-js prints unquoted (seed ${SEED})`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'grapheme', maxLength: 20 }), fc.constantFrom('Int', 'CustomerFilter'), async (text, type) => {
        const id = `client-key-${Math.random().toString(36).slice(2)}`;
        const res = await t.graphql(`query($v: ${type}) { customers(${type === 'Int' ? 'first' : 'filter'}: $v) { totalCount } }`, ANALYST_KEY, { v: { [`mark-${text}@example.com`]: 1 } }).set('x-request-id', id);
        expect(res.status).toBe(400);
        const logged = logs.filter((l) => l.includes(`"requestId":"${id}"`)).join('\n');
        expect(logged).toContain('"message":"Variable \\"$v\\" got invalid value …"');
        expect(logged).not.toContain('mark-');
        expect(logged).not.toContain('example.com');
      }),
      { seed: SEED, numRuns: 30 },
    );
  });

  it('answers a long variable with its value cut short in the message (graphql-js wrote it whole, twice: 900 KB sent, 1.8 MB answered)', async () => {
    const res = await t.graphql('query($n: Int) { customers(first: $n) { totalCount } }', ANALYST_KEY, { n: 'x'.repeat(1_500) });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([
      expect.objectContaining({ message: `Variable "$n" got invalid value "${'x'.repeat(40)}…" (1500 characters); Int cannot represent non-integer value: "${'x'.repeat(40)}…" (1500 characters)`, extensions: { code: 'BAD_USER_INPUT' } }),
    ]);
  });

  it('never logs a value the client sent in a refused argument or variable, however it is written', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }), fc.boolean(), async (text, inline) => {
        const value = `mark-${text}@example.com`;
        const id = `client-value-${Math.random().toString(36).slice(2)}`;
        const res = inline
          ? await t.graphql(`{ customers(first: ${JSON.stringify(value)}) { totalCount } }`, ANALYST_KEY).set('x-request-id', id)
          : await t.graphql('query($n: Int) { customers(first: $n) { totalCount } }', ANALYST_KEY, { n: value }).set('x-request-id', id);
        expect(res.status).toBe(400);
        const logged = logs.filter((l) => l.includes(`"requestId":"${id}"`)).join('\n');
        expect(logged).toContain('"msg":"request"');
        expect(logged).not.toContain('mark-');
        expect(logged).not.toContain('example.com');
      }),
      { seed: SEED, numRuns: 40 },
    );
  });

  it('logs a variable name of the client\'s by its start when it is long: a name of 400,000 characters made a 400 KB log line', async () => {
    const name = `v${'x'.repeat(500)}`;
    const undeclared = `client-name-${Math.random().toString(36).slice(2)}`;
    expect((await t.graphql(`{ customers(first: $${name}) { totalCount } }`, ANALYST_KEY).set('x-request-id', undeclared)).status).toBe(400);
    const invalid = `client-name-${Math.random().toString(36).slice(2)}`;
    const query = `query($${name}: CustomerFilter) { customers(filter: $${name}) { totalCount } }`;
    expect((await t.graphql(query, ANALYST_KEY, { [name]: { 'mark@example.com': 1 } }).set('x-request-id', invalid)).status).toBe(400);
    for (const id of [undeclared, invalid]) {
      const logged = logs.filter((l) => l.includes(`"requestId":"${id}"`)).join('\n');
      expect(logged).toMatch(/"message":"Variable \\"\$vxx+…\\"/);
      expect(logged).not.toContain('x'.repeat(100));
      expect(logged).not.toContain('mark@');
    }
  });

  it('logs a long literal graphql-js writes unquoted (a number, an object\'s field name) by its start', async () => {
    const literals = [`first: ${'1'.repeat(1_500)}`, `first: { a${'b'.repeat(1_500)}: 1 }`];
    for (const literal of literals) {
      const id = `client-literal-${Math.random().toString(36).slice(2)}`;
      const res = await t.graphql(`{ customers(${literal}) { totalCount } }`, ANALYST_KEY).set('x-request-id', id);
      expect(res.status).toBe(400);
      const logged = logs.filter((l) => l.includes(`"requestId":"${id}"`)).join('\n');
      // 'Int cannot represent non 32-bit signed integer value: 1111…': the answer cut it, the log line held it whole.
      expect(logged).toMatch(/"message":"Int cannot represent [^"]*… \(\d+ characters\)/);
      expect(logged).not.toMatch(/(1{200}|b{200})/);
    }
  });

  it('logs the path of a field refused under a long alias with the alias cut to its start', async () => {
    const id = `client-alias-${Math.random().toString(36).slice(2)}`;
    const alias = `a${'b'.repeat(1_500)}`;
    const res = await t.graphql(`{ ${alias}: customers(first: -1) { totalCount } }`, ANALYST_KEY).set('x-request-id', id);
    expect(res.body.errors[0].path).toEqual([alias]);
    const logged = logs.filter((l) => l.includes(`"requestId":"${id}"`)).join('\n');
    // The path holds the client's aliases: one of 400,000 characters was a 400 KB info line.
    expect(logged).toMatch(/"path":\["abbb+… \(1501 characters\)"\]/);
    expect(logged).not.toContain('b'.repeat(200));
  });

  it('never writes API keys or the authorization header to the log', async () => {
    await t.graphql('{ lake { liveVersion } }', ADMIN_KEY);
    await t.graphql('{ lake { liveVersion } }', 'unknown-key-0123456789abcdef');
    const all = logs.join('');
    expect(all).toContain('"path":"/graphql"');
    for (const secret of [ADMIN_KEY, ANALYST_KEY, 'unknown-key-0123456789abcdef', 'Bearer']) expect(all).not.toContain(secret);
    expect(all.toLowerCase()).not.toContain('"authorization"');
  });

  it('answers a body over the limit with 413 and a message that says what to do', async () => {
    const query = `{ lake { liveVersion } } # ${'x'.repeat(4_000)}`;
    const res = await t.graphql(query, ANALYST_KEY);
    expect(res.status).toBe(413);
    expect(res.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(res.body.errors[0].message).toMatch(/larger than the limit of 2kb/);
  });

  it('answers a body that is not JSON with 400 BAD_REQUEST, as Apollo answers a GET whose variables are not JSON', async () => {
    const res = await request(t.server).post('/graphql').set('authorization', `Bearer ${ANALYST_KEY}`).set('content-type', 'application/json').send('{"query": ');
    expect(res.status).toBe(400);
    expect(res.body.errors[0]).toEqual({ message: expect.stringMatching(/^the request body is not valid JSON; send one JSON object such as \{"query": /), extensions: { code: 'BAD_REQUEST' } });
    // The same refusal of the same mistake sent the other way (urql's and Apollo's GET): one code for both.
    const get = await request(t.server).get('/graphql').query({ query: '{ lake { liveVersion } }', variables: '{"a": ' }).set('authorization', `Bearer ${ANALYST_KEY}`);
    expect(get.status).toBe(400);
    expect(get.body.errors[0].extensions.code).toBe(res.body.errors[0].extensions.code);
  });

  it('says a body holding NaN or Infinity (Python json.dumps of a missing value) is refused for them, not as cut off', async () => {
    const post = (body: string) => request(t.server).post('/graphql').set('authorization', `Bearer ${ANALYST_KEY}`).set('content-type', 'application/json').send(body);
    const query = JSON.stringify('query ($f: Float) { lake { liveVersion } }');
    for (const value of ['NaN', 'Infinity', '-Infinity', '[1.0, NaN]']) {
      const res = await post(`{"query": ${query}, "variables": {"f": ${value}}}`);
      expect({ value, status: res.status, error: res.body.errors[0] }).toEqual({
        value,
        status: 400,
        error: { message: expect.stringMatching(/^the request body is not valid JSON: it holds NaN or Infinity, which JSON has no word for .*: send null, or a number$/), extensions: { code: 'BAD_REQUEST' } },
      });
    }
    // The words inside a string, or as part of a longer name, are no such value: the broken body is said as before.
    const inString = fc.tuple(fc.string(), fc.constantFrom('NaN', ' Infinity', '-Infinity'), fc.string()).map(([a, word, b]) => JSON.stringify(a + word + b));
    const property = fc.asyncProperty(fc.oneof(inString, fc.constantFrom('"a \\" NaN"', 'NaNa', 'xInfinity', '1.Infinity')), async (text) => {
      const res = await post(`{"query": ${query}, "variables": {"f": ${text}`);
      expect(res.body.errors[0].message).toMatch(/^the request body is not valid JSON; send one JSON object/);
    });
    await fc.assert(property, { seed: SEED, numRuns: 30 });
  });

  it.each([
    ['an empty JSON object', '{}'],
    ['an empty body', ''],
  ])('answers %s sent as JSON with 400 BAD_REQUEST saying it holds no operation, not to send JSON', async (_what, body) => {
    // JSON.stringify({ query: undefined }) is '{}': a client whose query variable was unset sends it, its type right.
    const res = await request(t.server).post('/graphql').set('authorization', `Bearer ${ANALYST_KEY}`).set('content-type', 'application/json').send(body);
    expect(res.status).toBe(400);
    // It was told to send the header "Content-Type: application/json" it had sent.
    expect(res.body.errors).toEqual([{ message: expect.stringMatching(/^the JSON request body holds no operation: send one such as \{"query": /), extensions: { code: 'BAD_REQUEST' } }]);
    const plain = await request(t.server).post('/graphql').set('authorization', `Bearer ${ANALYST_KEY}`).set('content-type', 'text/plain').send('{"query": "{ lake { liveVersion } }"}');
    expect(plain.body.errors[0].message).toMatch(/Content-Type: application\/json/);
  });

  it.each([
    ['an operationName the document does not hold', 'query A { lake { engine } }', 'Other', /Unknown operation named "Other"/],
    ['an empty operationName', 'query A { lake { engine } }', '', /Unknown operation named ""/],
    ['no operationName for a document of two operations', 'query A { lake { engine } } query B { lake { engine } }', undefined, /Must provide operation name/],
  ])('answers %s with 400 OPERATION_RESOLUTION_FAILURE, never an internal error', async (_what, query, operationName, message) => {
    const res = await t.graphql(query, ANALYST_KEY, undefined, operationName).set('x-request-id', `operation-${operationName ?? 'none'}`);
    expect(res.status).toBe(400);
    expect(res.body.errors).toHaveLength(1);
    expect(res.body.errors[0].message).toMatch(message);
    expect(res.body.errors[0].extensions.code).toBe('OPERATION_RESOLUTION_FAILURE');
    expect(logs.filter((l) => l.includes(`"requestId":"operation-${operationName ?? 'none'}"`) && /"level":50/.test(l))).toEqual([]);
  });

  it.each([
    ['gzip', 'not gzip at all'],
    ['deflate', 'not deflate either'],
    // Brotli's errors carry codes such as ERR__ERROR_FORMAT_PADDING_1, not zlib's Z_*: the message was the generic one.
    ['br', 'not brotli, still less JSON'],
    // Where Node reads zstd (22.15+): its errors carry codes such as ZSTD_error_prefix_unknown.
    ...('createZstdDecompress' in zlib ? [['zstd', 'not zstd']] : []),
  ])('answers a body whose %s encoding is corrupt with 400 BAD_USER_INPUT, logged as a client error', async (encoding, body) => {
    const res = await request(t.server)
      .post('/graphql')
      .set('authorization', `Bearer ${ANALYST_KEY}`)
      .set('content-type', 'application/json')
      .set('content-encoding', encoding)
      .set('x-request-id', `corrupt-${encoding}`)
      .send(body);
    expect(res.status).toBe(400);
    expect(res.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(res.body.errors[0].message).toMatch(new RegExp(`could not be decoded as ${encoding}`));
    expect(logs.filter((l) => l.includes(`"requestId":"corrupt-${encoding}"`) && /"level":50/.test(l))).toEqual([]);
  });

  it('reads a zstd body where Node reads zstd (22.15+), and elsewhere refuses it naming only the encodings it reads', async () => {
    const zstd = (zlib as { zstdCompressSync?: (b: Buffer) => Buffer }).zstdCompressSync;
    const json = Buffer.from('{"query":"{ __typename }"}');
    const body = zstd ? zstd(json) : json;
    // Sent by node:http: supertest does not send a Buffer body as its bytes.
    const { port } = t.server.address() as AddressInfo;
    const headers = { authorization: `Bearer ${ANALYST_KEY}`, 'content-type': 'application/json', 'content-encoding': 'zstd', 'content-length': body.length };
    const res = await new Promise<{ status?: number; body: { data?: unknown; errors?: Array<{ message: string }> } }>((resolve, reject) => {
      const req = http.request({ port, host: '127.0.0.1', path: '/graphql', method: 'POST', headers }, (answer) => {
        let text = '';
        answer.on('data', (chunk) => (text += chunk));
        answer.on('end', () => resolve({ status: answer.statusCode, body: JSON.parse(text) }));
      });
      req.on('error', reject);
      req.end(body);
    });
    if (zstd) {
      expect(res.body).toEqual({ data: { __typename: 'Query' } });
      expect(res.status).toBe(200);
    } else {
      expect(res.status).toBe(415);
      expect(res.body.errors?.[0].message).toMatch(/Content-Encoding "zstd" is not supported: send it uncompressed, or compressed once with gzip, deflate or br$/);
    }
  });

  it.each([
    // zstd is read where Node's zlib reads it (22.15+), so the encoding here is one no Node reads (LZW).
    ['a Content-Encoding the server does not read', { 'content-encoding': 'compress' }, /Content-Encoding "compress" is not supported: send it uncompressed, or compressed once with gzip, deflate(,| or) br/],
    ['a body compressed twice', { 'content-encoding': 'gzip, gzip' }, /Content-Encoding "gzip, gzip" is not supported/],
    ['a charset other than UTF-8', { 'content-type': 'application/json; charset=latin1' }, /must be UTF-8 JSON: send it as UTF-8/],
  ])('answers %s with 415 BAD_USER_INPUT naming what to change', async (_what, headers, message) => {
    const res = await request(t.server)
      .post('/graphql')
      .set('authorization', `Bearer ${ANALYST_KEY}`)
      .set({ 'content-type': 'application/json', ...headers })
      .send('{"query":"{ __typename }"}');
    expect(res.status).toBe(415);
    expect(res.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(res.body.errors[0].message).toMatch(message);
  });

  it.each([
    ['a JSON array of operations (a client batching)', 'application/json', '[{"query":"{ lake { engine } }"},{"query":"{ lake { engine } }"}]', /send one operation per request: this server does not take a JSON array/],
    ['a body sent as application/graphql', 'application/graphql', '{ lake { engine } }', /send the operation as JSON: the header "Content-Type: application\/json"/],
    ['an empty JSON object', 'application/json', '{}', /the JSON request body holds no operation/],
    ['a JSON body with no Content-Type (Python requests, data=)', '', '{"query":"{ lake { engine } }"}', /send the operation as JSON: the header "Content-Type: application\/json" \(in Python requests: json=/],
    ['a form-encoded body (curl -d without a type)', 'application/x-www-form-urlencoded', 'query=%7B%20lake%20%7B%20engine%20%7D%20%7D', /send the operation as JSON: .*in curl: -H 'Content-Type: application\/json'/],
  ])('answers %s with 400 BAD_REQUEST saying what to send instead', async (_what, type, body, message) => {
    const post = request(t.server).post('/graphql').set('authorization', `Bearer ${ANALYST_KEY}`);
    // A Buffer goes without a Content-Type, as Python's requests sends a string given as data=.
    const res = await (type ? post.set('content-type', type).send(body) : post.send(Buffer.from(body)));
    expect(res.status).toBe(400);
    expect(res.body.errors).toHaveLength(1);
    expect(res.body.errors[0].extensions.code).toBe('BAD_REQUEST');
    expect(res.body.errors[0].message).toMatch(message);
  });

  it('says what to change when graphql-js stops validating a document that repeats a field hundreds of times', async () => {
    // This suite's body limit (2 kB) is below such a document: an app with the default one.
    const app = await buildTestApp({ landing: writeSmallLanding() });
    try {
      const res = await app.graphql(`{ lake { ${'liveVersion '.repeat(900)}} }`, ANALYST_KEY);
      expect(res.status).toBe(400);
      expect(res.body.errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(res.body.errors[0].message).toMatch(/too costly to validate: .*select each field once/);
    } finally {
      await app.close();
    }
  });

  it('logs a body the client stopped sending half way as a client error, never at error level', async () => {
    const { port } = t.server.address() as AddressInfo;
    const socket = connect(port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    socket.write(`POST /graphql HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${ANALYST_KEY}\r\ncontent-type: application/json\r\nx-request-id: aborted-body\r\ncontent-length: 1000\r\n\r\n{"query":`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    socket.destroy();
    const mine = (): string[] => logs.filter((l) => l.includes('"requestId":"aborted-body"'));
    for (let i = 0; i < 100 && !mine().some((l) => l.includes('stopped sending')); i += 1) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(mine().some((l) => /"level":30/.test(l) && l.includes('stopped sending'))).toBe(true);
    expect(mine().filter((l) => /"level":50/.test(l))).toEqual([]);
  });

  it.each([
    ['a persisted query whose hash does not match its text', { query: '{ lake { engine } }', extensions: { persistedQuery: { version: 1, sha256Hash: 'abc' } } }, /sha does not match/],
    ['a persisted query of an unknown version', { query: '{ lake { engine } }', extensions: { persistedQuery: { version: 2, sha256Hash: 'abc' } } }, /Unsupported persisted query version/],
  ])('answers %s with 400 BAD_REQUEST, not as an internal error', async (_what, body, message) => {
    const res = await request(t.server).post('/graphql').set('authorization', `Bearer ${ANALYST_KEY}`).set('content-type', 'application/json').send(body);
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ message: expect.stringMatching(message), extensions: { code: 'BAD_REQUEST' } }]);
  });

  it('refuses a subscription at validation: the API has none', async () => {
    const res = await t.graphql('subscription { lake { engine } }', ANALYST_KEY);
    expect(res.status).toBe(400);
    expect(res.body.errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(res.body.errors[0].message).toMatch(/no subscription operations/);
  });

  it.each([['null'], ['5'], ['"a string"']])('says the body must be a JSON object (400 BAD_REQUEST) when it is valid JSON but %s', async (body) => {
    const res = await request(t.server).post('/graphql').set('authorization', `Bearer ${ANALYST_KEY}`).set('content-type', 'application/json').send(body);
    expect(res.status).toBe(400);
    expect(res.body.errors[0]).toEqual({ message: expect.stringMatching(/must be a JSON object/), extensions: { code: 'BAD_REQUEST' } });
  });

  it('refuses a query nested deeper than the limit, naming the limit', async () => {
    const deep = '{ customers(first: 1) { edges { node { stepTrainerReadings(first: 1) { edges { node { serialNumber } } } } } } }';
    const res = await t.graphql(deep, ANALYST_KEY);
    expect(res.status).toBe(400);
    expect(res.body.errors[0].message).toMatch(/depth limit of 5 exceeded, found 7/);
    expect(res.body.errors[0].extensions.code).not.toBe('INTERNAL_SERVER_ERROR');
  });

  it('refuses a query whose cost (page size × fields) is above the limit, before running it', async () => {
    const wide = '{ machineLearningSamples(first: 2000) { edges { node { serialNumber x y z } } } }';
    const res = await t.graphql(wide, ANALYST_KEY);
    expect(res.status).toBe(400);
    expect(res.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(res.body.errors[0].message).toMatch(/estimated cost is [\d,]+, above the limit of 5,000/);
    const small = await t.graphql('{ machineLearningSamples(first: 100) { edges { node { serialNumber x y z } } } }', ANALYST_KEY);
    expect(small.body.errors).toBeUndefined();
  });

  it('counts the page size given in a variable', async () => {
    const query = 'query P($n: Int!) { machineLearningSamples(first: $n) { edges { node { serialNumber x y z } } } }';
    expect((await t.graphql(query, ANALYST_KEY, { n: 2000 })).body.errors[0].message).toMatch(/estimated cost/);
    expect((await t.graphql(query, ANALYST_KEY, { n: 10 })).body.errors).toBeUndefined();
  });

  it('costs a nested page without `first` at the default page size', async () => {
    // n customers cost about n × 100 (the default page of readings): 10 pass, 60 are over the limit of 5,000.
    const nested = (n: number): string => `{ customers(first: ${n}) { edges { node { stepTrainerReadings { totalCount } } } } }`;
    expect((await t.graphql(nested(10), ANALYST_KEY)).body.errors).toBeUndefined();
    expect((await t.graphql(nested(60), ANALYST_KEY)).body.errors[0].message).toMatch(/estimated cost is 6,/);
  });

  it.each([
    ['@include', 'query Q($v: Boolean = true) { lake { liveVersion @include(if: $v) } }'],
    ['a required argument', 'query Q($s: String = "x") { customer(serialNumber: $s) { serialNumber } }'],
  ])('says a null sent for a variable with a default, used where %s takes no null, is the mistake', async (_where, query) => {
    const res = await t.graphql(query, ANALYST_KEY, { [/\$(\w)/.exec(query)![1]!]: null });
    expect(res.status).toBe(400);
    // The cost estimate met graphql-js's coercion error and said 'simplify it (fewer nested fields, fragments or aliases)'.
    expect(res.body.errors).toEqual([expect.objectContaining({ message: expect.stringMatching(/^Argument "\w+" of non-null type "\w+!" must not be null\.$/), extensions: { code: 'BAD_USER_INPUT' } })]);
  });

  it('reports a bad argument as BAD_USER_INPUT, not as an internal error', async () => {
    const res = await t.graphql('{ customers(first: -1) { totalCount } }', ANALYST_KEY);
    expect(res.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
  });

  it('answers an unknown route with 404 NOT_FOUND', async () => {
    const res = await request(t.server).get('/nope');
    expect(res.status).toBe(404);
    expect(res.body.errors[0].extensions.code).toBe('NOT_FOUND');
  });

  it.each([
    ['POST', '/export/machine_learning_curated?format=csv', /^\/export\/machine_learning_curated is read with GET, not POST: GET it with format=parquet, csv or ndjson/],
    // Matched as Express routes it (any case, a trailing slash): the export's hint too.
    ['PUT', '/Export/machine_learning_curated/', /is read with GET, not PUT: GET it with format=parquet, csv or ndjson/],
    ['POST', '/healthz', /^\/healthz is read with GET, not POST$/],
    ['DELETE', '/metrics', /^\/metrics is read with GET, not DELETE$/],
    // A query POSTed to / instead of /graphql: told where the API is.
    ['POST', '/', /^\/ is read with GET, not POST: the API is at POST \/graphql$/],
  ])('answers %s %s, a path that is only read, with 405 and Allow: GET instead of "no route"', async (method, path, message) => {
    const res = await request(t.server)[method.toLowerCase() as 'post'](path).set('authorization', `Bearer ${ANALYST_KEY}`);
    expect(res.status).toBe(405);
    expect(res.headers['allow']).toBe('GET, HEAD, OPTIONS');
    expect(res.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(res.body.errors[0].message).toMatch(message);
  });
});
