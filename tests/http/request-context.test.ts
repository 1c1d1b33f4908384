import fc from 'fast-check';
import request from 'supertest';
import { ANALYST_KEY, buildTestApp, type TestApp } from '../helpers/http-app';
import { writeSmallLanding } from '../helpers/landing-fixture';
import { loggedLines } from '../helpers/log-lines';

/** The request log line: what identifies a request, the client's own text in it kept short. */

const SEED = Number(process.env.STEDI_PROPERTY_SEED ?? Math.floor(Math.random() * 2 ** 31));

describe('the request log line', () => {
  let t: TestApp;
  const { logger, lines } = loggedLines();
  beforeAll(async () => {
    t = await buildTestApp({ landing: writeSmallLanding(), logger });
  });
  afterAll(() => t.close());

  const requestLine = (requestId: string): Record<string, unknown> =>
    lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === 'request' && l.requestId === requestId)!;

  it('names a short operation as sent, and cuts a long one, saying how long it was', async () => {
    const short = await t.graphql('query Page { lake { liveVersion } }', ANALYST_KEY, undefined, 'Page').set('x-request-id', 'short-1');
    expect(short.status).toBe(200);
    expect(requestLine('short-1').operation).toBe('Page');
    const name = `A${'b'.repeat(399_999)}`;
    const long = await t.graphql(`query ${name} { lake { liveVersion } }`, ANALYST_KEY, undefined, name).set('x-request-id', 'long-1');
    expect(long.status).toBe(200);
    expect(requestLine('long-1').operation).toBe(`${name.slice(0, 200)}… (400000 characters)`);
  });

  it('logs at most 10 of a request\'s refused fields and arguments, counting the rest on its request line', async () => {
    // Fifteen aliases, each refused with its own message: each had its own log line.
    const aliases = Array.from({ length: 15 }, (_, i) => `a${i}: customers(first: -${i + 1}) { edges { cursor } }`).join(' ');
    const refused = await t.graphql(`{ ${aliases} }`, ANALYST_KEY).set('x-request-id', 'many-refusals');
    expect([refused.status, refused.body.errors.length]).toEqual([200, 15]);
    const refusals = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.requestId === 'many-refusals' && l.msg === 'request refused or field failed for the caller');
    expect([refusals.length, requestLine('many-refusals').refusalsNotLogged]).toEqual([10, 5]);
    const one = await t.graphql('{ nope }', ANALYST_KEY).set('x-request-id', 'one-refusal');
    expect(one.status).toBe(400);
    expect(lines.filter((l) => l.includes('"requestId":"one-refusal"') && l.includes('request refused')).length).toBe(1);
    expect(requestLine('one-refusal').refusalsNotLogged).toBeUndefined();
  });

  it('logs no address a client wrote into a URL: that part of the path is `…`, the rest as sent', async () => {
    // GET /customers/ann@example.com (a REST habit) put the address in the log, where no email may be.
    for (const [path, shown] of [
      ['/customers/ann@example.com/readings', '/customers/…/readings'],
      ['/customers/ann%40example.com', '/customers/…'],
      ['/graphql/x@y', '/graphql/…'],
    ]) {
      const id = `address-${shown.length}-${path.length}`;
      await request(t.server).get(path).set('x-request-id', id);
      expect({ path, logged: requestLine(id).path }).toEqual({ path, logged: shown });
    }
    await fc.assert(
      fc.asyncProperty(fc.emailAddress(), fc.constantFrom('', '/readings'), async (email, after) => {
        lines.length = 0;
        await request(t.server).get(`/customers/${encodeURIComponent(email)}${after}`);
        const said = lines.join('');
        if (said.includes(encodeURIComponent(email)) || said.includes(email)) throw new Error(`the log holds ${email}`);
      }),
      { seed: SEED, numRuns: 30, endOnFailure: true },
    );
  });

  it(`keeps every request line under 1 KB, whatever operation name and path the client sends (seed ${SEED})`, async () => {
    // A name-like start, then a run of up to 20,000 characters: generated strings alone are rarely long.
    const names = fc.tuple(fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,20}$/), fc.integer({ min: 0, max: 20_000 })).map(([start, n]) => start + '9'.repeat(n));
    const paths = fc.tuple(fc.stringMatching(/^[a-z]{1,20}$/), fc.integer({ min: 0, max: 8_000 })).map(([start, n]) => start + 'z'.repeat(n));
    await fc.assert(
      fc.asyncProperty(names, paths, async (name, path) => {
        lines.length = 0;
        await t.graphql(`query ${name} { lake { liveVersion } }`, ANALYST_KEY, undefined, name);
        await request(t.server).get(`/${path}`);
        const long = lines.filter((l) => l.includes('"msg":"request"') && l.length > 1_024);
        if (long.length > 0) throw new Error(`a ${long[0]!.length}-character request line`);
      }),
      { seed: SEED, numRuns: 30, endOnFailure: true },
    );
  });
});
