import fc from 'fast-check';
import type { AddressInfo } from 'node:net';
import { generateRequest } from '../helpers/hostile-documents';
import { ANALYST_KEY, buildTestApp, sharedSchema, type TestApp } from '../helpers/http-app';
import { writeManyCustomersLanding } from '../helpers/many-customers-landing';

/**
 * Generated requests (valid, near-valid, hostile) through the production HTTP
 * app and executor: never a 5xx or INTERNAL_SERVER_ERROR, a typed code on
 * every refusal, and /healthz answering between cases. STEDI_PROPERTY_SEED
 * replays a run; the seed is in the test's name and in any failure.
 */

const SEED = Number(process.env.STEDI_PROPERTY_SEED ?? Math.floor(Math.random() * 2 ** 31));
const RUNS = Number(process.env.STEDI_PROPERTY_RUNS ?? 1_000);
const TYPED_CODES = new Set(['BAD_USER_INPUT', 'FORBIDDEN', 'GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'STALE_CURSOR', 'QUERY_TIMEOUT', 'BAD_REQUEST']);

interface Body {
  data?: unknown;
  errors?: Array<{ message: string; extensions?: { code?: string } }>;
}

describe('the API under generated requests', () => {
  let t: TestApp;
  let url: string;
  beforeAll(async () => {
    t = await buildTestApp({ landing: writeManyCustomersLanding(12, 3).landing });
    url = `http://127.0.0.1:${(t.server.address() as AddressInfo).port}`;
  });
  afterAll(() => t.close());

  it(`answers ${RUNS} generated documents without a 5xx or an internal error, /healthz in between (seed ${SEED})`, async () => {
    const schema = await sharedSchema();
    const kinds = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(fc.gen(), async (g) => {
        const generated = generateRequest(schema, g);
        kinds.set(generated.kind, (kinds.get(generated.kind) ?? 0) + 1);
        const res = await fetch(`${url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${ANALYST_KEY}` },
          body: JSON.stringify({ query: generated.query, variables: generated.variables }),
        });
        const body = (await res.json()) as Body;
        const problem = (why: string) => new Error(`${why}: status ${res.status}, ${JSON.stringify(body.errors ?? null).slice(0, 500)}`);
        if (res.status >= 500) throw problem('a 5xx answer');
        for (const error of body.errors ?? []) {
          if (!TYPED_CODES.has(error.extensions?.code ?? '')) throw problem(`an error with code ${String(error.extensions?.code)}`);
        }
        if (res.status >= 400 && !body.errors?.length) throw problem('a refusal without an error');
        const health = await fetch(`${url}/healthz`);
        await health.arrayBuffer();
        if (health.status !== 200) throw new Error(`/healthz answered ${health.status}`);
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
    // Every kind of document was tried.
    expect([...kinds.keys()].sort()).toEqual(['abuse', 'aliased', 'deep', 'huge', 'introspection', 'near', 'valid', 'variables', 'wide']);
  }, 300_000);
});
