import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'puppeteer-core';
import type { Engine } from '../../etl/engine/engine';
import { describeWithBrowser, launchBrowser } from '../helpers/browser';
import { ANALYST_KEY, buildTestApp, testApiKeys, type TestApp } from '../helpers/http-app';
import { writeSmallLanding } from '../helpers/landing-fixture';

/**
 * A page on another origin (a notebook, a GraphQL client web app) calling the API with fetch in a real Chromium:
 * what STEDI_CORS_ORIGINS lets it read, and what a page on an origin not listed gets. Headers a browser hides from a
 * page unless exposed are only seen failing here, never through supertest.
 */

/** A page server: one blank page, on its own origin. */
async function startPageServer(): Promise<{ server: Server; origin: string }> {
  const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>notebook</title>'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** An engine whose reads wait while `held` (so a key's one place stays taken), then go on. */
function holdingEngine() {
  let gate: Promise<void> | undefined;
  let open = (): void => undefined;
  const wrap = (engine: Engine): Engine =>
    new Proxy(engine, {
      get(target, property) {
        const value = Reflect.get(target, property);
        if (typeof value !== 'function') return value;
        if (property !== 'query' && property !== 'queryColumns') return value.bind(target);
        return async (...args: unknown[]) => {
          if (gate) await gate;
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
  return {
    wrap,
    hold: () => void (gate = new Promise((resolve) => (open = resolve))),
    release: () => {
      gate = undefined;
      open();
    },
  };
}

interface Seen {
  status: number;
  requestId: string | null;
  retryAfter: string | null;
  body: any;
}

/** Opens the page of `origin` and gives it `ask`: fetch as a notebook's script calls it, returning what the page can read. */
async function openPage(page: Page, origin: string): Promise<void> {
  await page.goto(origin);
  await page.evaluate((key) => {
    (globalThis as any).ask = (url: string, document: string) =>
      fetch(url, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ query: document }) }).then(async (res) => ({
        status: res.status,
        requestId: res.headers.get('x-request-id'),
        retryAfter: res.headers.get('retry-after'),
        body: await res.json(),
      }));
  }, ANALYST_KEY);
}

const query = (page: Page, url: string, document: string): Promise<Seen> => page.evaluate((url, document) => (globalThis as any).ask(url, document), url, document);

/** Sends a query from the page without waiting for its answer, kept as `held` for later. */
const sendHeld = (page: Page, url: string, document: string): Promise<void> =>
  page.evaluate((url, document) => void ((globalThis as any).held = (globalThis as any).ask(url, document)), url, document);

// A new split seed each time: no answer is kept between requests, so each reads the engine.
let seed = 0;
const READ = (): string => `{ machineLearningSamples(first: 2, split: TRAIN, splitSeed: "s${(seed += 1)}") { edges { node { serialNumber } } } }`;

describeWithBrowser('a page on another origin calling the API in Chromium', () => {
  const engine = holdingEngine();
  let listed: { server: Server; origin: string };
  let other: { server: Server; origin: string };
  let t: TestApp;
  let browser: Browser;
  let page: Page;
  let url: string;
  beforeAll(async () => {
    listed = await startPageServer();
    other = await startPageServer();
    // One place and no queue for the key: a second read while the first is held is refused at once.
    t = await buildTestApp({ landing: writeSmallLanding(), wrapEngine: engine.wrap, config: { corsOrigins: [listed.origin], keyConcurrency: 1, keyQueue: 0 } });
    url = `http://127.0.0.1:${(t.server.address() as AddressInfo).port}/graphql`;
    browser = await launchBrowser();
    page = await browser.newPage();
  }, 60_000);
  afterEach(() => engine.release());
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    for (const site of [listed, other]) if (site) await new Promise((resolve) => site.server.close(resolve));
  });

  it('a listed origin queries with its key (the browser preflights it) and reads the answer and its request id', async () => {
    await openPage(page, listed.origin);
    const seen = await query(page, url, '{ customers(first: 5) { totalCount edges { node { serialNumber } } } }');
    expect(seen.status).toBe(200);
    expect(seen.body.data.customers.totalCount).toBe(2);
    expect(seen.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("a listed origin reads a 429's Retry-After, so its client can wait as long as it is told", async () => {
    await openPage(page, listed.origin);
    const analyst = testApiKeys().authenticate(ANALYST_KEY)!.keyId;
    engine.hold();
    await sendHeld(page, url, READ());
    while (t.app.keyLimit.inFlight(analyst).running < 1) await new Promise((resolve) => setTimeout(resolve, 5));
    const refused = await query(page, url, READ());
    expect(refused.status).toBe(429);
    expect(refused.body.errors[0].extensions.code).toBe('RATE_LIMITED');
    expect(refused.retryAfter).toMatch(/^[1-9][0-9]*$/);
    engine.release();
    expect((await page.evaluate(() => (globalThis as any).held)).status).toBe(200);
  });

  it("a listed origin's fetch passes the preflight whatever headers its tooling adds, and reads the 401 of a key sent in X-API-Key", async () => {
    await openPage(page, listed.origin);
    const seen = await page.evaluate(async (url, key) => {
      const send = (headers: Record<string, string>) =>
        fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '{"query":"{ __typename }"}' }).then(
          async (res) => ({ status: res.status, body: await res.json() }),
          (error) => String(error),
        );
      // Datadog RUM's and New Relic's tracing, a page's no-cache fetch wrapper, its own correlation id.
      const tooling = { 'x-datadog-trace-id': '1', 'x-datadog-parent-id': '2', newrelic: 'e30=', 'cache-control': 'no-cache', pragma: 'no-cache', 'x-correlation-id': 'c-1' };
      return { tooling: await send({ authorization: `Bearer ${key}`, ...tooling }), xApiKey: await send({ 'x-api-key': key }) };
    }, url, ANALYST_KEY);
    expect(seen.tooling).toEqual({ status: 200, body: { data: { __typename: 'Query' } } });
    expect(seen.xApiKey).toMatchObject({ status: 401, body: { errors: [{ message: expect.stringMatching(/x-api-key header, which this server does not read.*Authorization: Bearer <key>/) }] } });
  });

  it("a listed origin reads the refusal of a GET over 16 KiB and of a DELETE, not a network error blaming CORS", async () => {
    await openPage(page, listed.origin);
    const seen = await page.evaluate(async (url, key) => {
      const send = (target: string, method: string) =>
        fetch(target, { method, headers: { authorization: `Bearer ${key}` } }).then(
          async (res) => ({ status: res.status, allow: res.headers.get('allow'), body: await res.json() }),
          (error) => String(error),
        );
      // Both are preflighted (the Authorization header; DELETE is not a simple method).
      const long = `${url}?query=${encodeURIComponent(`{ __typename } #${'a'.repeat(20_000)}`)}`;
      return { long: await send(long, 'GET'), remove: await send(url, 'DELETE') };
    }, url, ANALYST_KEY);
    expect(seen.long).toMatchObject({ status: 431, body: { errors: [{ message: expect.stringMatching(/POST body/), extensions: { code: 'BAD_USER_INPUT' } }] } });
    expect(seen.remove).toMatchObject({ status: 405, body: { errors: [{ message: expect.stringMatching(/not DELETE/), extensions: { code: 'BAD_USER_INPUT' } }] } });
  });

  it('a page on an origin not listed cannot read any answer: fetch fails as a network error', async () => {
    await page.goto(other.origin);
    const failure = await page.evaluate(async (url, key) => {
      try {
        await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' });
        return 'answered';
      } catch (error) {
        return String(error);
      }
    }, url, ANALYST_KEY);
    expect(failure).toMatch(/TypeError: Failed to fetch/);
  });
});
