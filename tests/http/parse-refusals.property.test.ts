import fc from 'fast-check';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp, type StediApp } from '../../src/http/app';
import { ANALYST_KEY, buildTestApp, sharedSchema, testApiKeys, type TestApp } from '../helpers/http-app';
import { writeSmallLanding } from '../helpers/landing-fixture';
import { loggedLines } from '../helpers/log-lines';

/**
 * Documents over the token limit are refused before Apollo runs (src/http/parse-refusals.ts): every client must see
 * what Apollo answered, so each generated request goes to an app that refuses them first and to one whose Apollo
 * refuses them, over the same lake and logger, and the two answers, log lines and operation counts must be the same.
 */

const SEED = Number(process.env.STEDI_PROPERTY_SEED ?? Math.floor(Math.random() * 2 ** 31));
const MAX_TOKENS = 1_000; // the test lake's STEDI_MAX_TOKENS (the default)

const SCAN = 'machineLearningSamples(first: 10000) { edges { node { customer { accelerometerReadings(first: 10000) { edges { node { x } } } } } } }';
const CHAIN = `{ __type(name: "Query") { ${'ofType { '.repeat(2400)}name${' }'.repeat(2400)} } ${SCAN} }`;
const ALIASES = `{ ${Array.from({ length: 400 }, (_, i) => `c${i}: machineLearningSamples(first: 1, split: TEST, splitSeed: "s-${i}") { totalCount }`).join(' ')} }`;

// Tokens and near-tokens a document is made of: a parse may fail on any of them, or the lexer (an unterminated string, `?`).
const PIECES = ['{', '{', '}', '(', '(', ')', ':', ':', ':', '[', ']', '!', '=', '@skip', '$v', '...', 'on', 'query', 'fragment', 'a', 'b: 1', '"s"', '"""block"""', '1.5', '-2', '#c\n', '\n', '\r\n', ',', 'Int', '?', '"open', '\u0007'];

/** A document with more than MAX_TOKENS tokens: a valid start, nested or aliased fields, then anything. */
const overTheLimit = fc
  .record({
    head: fc.constantFrom('', 'query Q($v: Int) ', 'query { a } ', '# comment\r\n', '"""described"""\n', 'fragment F on Query { a } '),
    body: fc.oneof(
      fc.integer({ min: 340, max: 1_500 }).map((n) => `{ ${'a { '.repeat(n)}b${' }'.repeat(n)} }`),
      fc.integer({ min: 170, max: 600 }).map((n) => `{ ${Array.from({ length: n }, (_, i) => `c${i}: a(b: ${i})`).join(' ')} }`),
      fc.array(fc.constantFrom(...PIECES), { minLength: MAX_TOKENS + 1, maxLength: MAX_TOKENS + 300 }).map((pieces) => pieces.join(' ')),
    ),
    cut: fc.nat(),
    tail: fc.array(fc.constantFrom(...PIECES), { maxLength: 5 }).map((pieces) => pieces.join(' ')),
  })
  .map(({ head, body, cut, tail }) => `${head}${body.slice(0, body.length - (cut % 50))}${tail}`);

/** The rest of a request: mostly as the early refusal takes it; else with a field Apollo checks first, or an Accept it negotiates. */
const requestAround = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      accept: fc.constantFrom(undefined, '*/*', 'application/json'),
      variables: fc.constantFrom(undefined, null, {}, { v: 1 }),
      operationName: fc.constantFrom(undefined, null, 'Q'),
      extensions: fc.constant(undefined),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      accept: fc.constantFrom(undefined, 'application/graphql-response+json', 'application/json, application/graphql-response+json', 'text/html'),
      variables: fc.constantFrom(undefined, null, {}, 'v', [1]),
      operationName: fc.constantFrom(undefined, null, 'Q', 7),
      extensions: fc.constantFrom(undefined, {}, null),
    }),
  },
);

interface Answer {
  status: number;
  contentType: string | null;
  cacheControl: string | null;
  body: string;
  logged: unknown[];
}

describe(`documents over the token limit, refused before Apollo (seed ${SEED})`, () => {
  let t: TestApp;
  let plain: { app: StediApp; server: Server };
  let lines: string[];
  const urlOf = (server: Server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;

  beforeAll(async () => {
    const logged = loggedLines();
    lines = logged.lines;
    t = await buildTestApp({ landing: writeSmallLanding(), logger: logged.logger });
    // Apollo refuses every document in this one: the same lake, logger and schema.
    const app = await createApp({ services: t.lake.services, apiKeys: testApiKeys(), schema: await sharedSchema(), refuseUnparsableFirst: false });
    const server = createServer(app.app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    plain = { app, server };
  });
  afterAll(async () => {
    plain.server.closeAllConnections();
    await new Promise((resolve) => plain.server.close(resolve));
    await plain.app.stop();
    await t.close();
  });

  /** What `server` answers `body`, and the log lines written for it (without what differs between any two requests). */
  async function ask(server: Server, body: Record<string, unknown>, accept: string | undefined): Promise<Answer> {
    const before = lines.length;
    const res = await fetch(urlOf(server), {
      method: 'POST',
      headers: { authorization: `Bearer ${ANALYST_KEY}`, 'content-type': 'application/json', ...(accept === undefined ? {} : { accept }) },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    // The request's own line (request-context.ts) is written once the response closes, perhaps after the client read it.
    const requestLine = (line: string): boolean => ['"msg":"request"', '"msg":"request failed"', '"msg":"request answered'].some((msg) => line.includes(msg));
    for (let waited = 0; !lines.slice(before).some(requestLine) && waited < 2_000; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
    const logged = lines.slice(before).map((line) => {
      const { time: _time, pid: _pid, hostname: _hostname, requestId: _requestId, ms: _ms, ...rest } = JSON.parse(line) as Record<string, unknown>;
      return rest;
    });
    // An internal error's message names its request id (after Apollo is stopped): the rest must be the same.
    return { status: res.status, contentType: res.headers.get('content-type'), cacheControl: res.headers.get('cache-control'), body: text.replace(/request id [^)]*/, 'request id'), logged };
  }

  const operationsCounted = async (app: StediApp): Promise<number> => {
    const metric = await app.metrics.registry.getSingleMetric('stedi_graphql_operations_total')?.get();
    return (metric?.values ?? []).filter((v) => v.labels.outcome === 'error').reduce((sum, v) => sum + v.value, 0);
  };

  it('answers the hostile client\'s introspection chain and 400 aliases without running Apollo, as Apollo answers them', async () => {
    const apollo = jest.spyOn(t.app.apollo, 'executeHTTPGraphQLRequest');
    try {
      for (const query of [CHAIN, ALIASES]) {
        const first = await ask(t.server, { query }, undefined);
        const refused = await ask(plain.server, { query }, undefined);
        expect(first).toEqual(refused);
        expect(first.status).toBe(400);
        expect(JSON.parse(first.body)).toEqual({ errors: [expect.objectContaining({ message: `Syntax Error: Document contains more that ${MAX_TOKENS} tokens. Parsing aborted.`, extensions: { code: 'GRAPHQL_PARSE_FAILED' } })] });
        expect(first.logged).toEqual(expect.arrayContaining([expect.objectContaining({ msg: 'request', code: 'GRAPHQL_PARSE_FAILED', status: 400 })]));
      }
      expect(apollo).not.toHaveBeenCalled();
      // With `extensions` (APQ's field) the body is Apollo's to check: it refuses it itself.
      const withExtensions = await ask(t.server, { query: CHAIN, extensions: {} }, undefined);
      expect(apollo).toHaveBeenCalledTimes(1);
      expect(withExtensions.status).toBe(400);
    } finally {
      apollo.mockRestore();
    }
  });

  it('gives every generated request over the limit the answer, log lines and count Apollo gives it', async () => {
    const apollo = jest.spyOn(t.app.apollo, 'executeHTTPGraphQLRequest');
    let sent = 0;
    await fc.assert(
      fc.asyncProperty(overTheLimit, requestAround, async (query, { accept, variables, operationName, extensions }) => {
        const body: Record<string, unknown> = { query };
        if (variables !== undefined) body.variables = variables;
        if (operationName !== undefined) body.operationName = operationName;
        if (extensions !== undefined) body.extensions = extensions;
        const counted = [await operationsCounted(t.app), await operationsCounted(plain.app)];
        const first = await ask(t.server, body, accept);
        sent += 1;
        const refused = await ask(plain.server, body, accept);
        expect(first).toEqual(refused);
        // Counted alike: one failed operation each (none, when refused before Apollo's pipeline, as a bad body is).
        expect((await operationsCounted(t.app)) - counted[0]!).toBe((await operationsCounted(plain.app)) - counted[1]!);
      }),
      { seed: SEED, numRuns: 60 },
    );
    // Not a comparison of Apollo with itself: most were answered before it.
    expect(sent - apollo.mock.calls.length).toBeGreaterThan(sent / 3);
    apollo.mockRestore();
  });

  it('leaves every request to Apollo once Apollo is stopped', async () => {
    await Promise.all([t.app.stop(), plain.app.stop()]);
    expect(await ask(t.server, { query: CHAIN }, undefined)).toEqual(await ask(plain.server, { query: CHAIN }, undefined));
  });
});
