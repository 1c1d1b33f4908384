import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Kind, type OperationDefinitionNode, parse } from 'graphql';
import request from 'supertest';
import { ADMIN_KEY, ANALYST_KEY, buildTestApp, type TestApp } from '../helpers/http-app';
import { writeSmallLanding } from '../helpers/landing-fixture';
import { WEB_DIR } from '../../src/http/web-assets';
import { ensureWebBundle } from '../helpers/web-bundle';

const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
const EXAMPLES = resolve(__dirname, '..', '..', 'examples', 'graphql');

/** What a browser page's answer must hold back: nothing from elsewhere, no inline script but its own. */
function expectLockedDown(res: request.Response): string {
  expect(res.status).toBe(200);
  expect(res.headers['content-type']).toMatch(/^text\/html/);
  expect(res.text).not.toMatch(/https?:\/\//i);
  const csp: string = res.headers['content-security-policy'];
  expect(csp).toMatch(/default-src 'none'/);
  expect(csp).toMatch(/connect-src 'self'/);
  expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
  const nonce = /script-src 'self' 'nonce-([^']+)'/.exec(csp)![1];
  // Every executable script is a file of this server carrying the nonce; the config block is data.
  for (const tag of res.text.match(/<script[^>]*>/g) ?? []) {
    expect((/^<script nonce="[^"]+" src="(\.\.\/)*web\//.test(tag) && tag.includes(`nonce="${nonce}"`)) || tag === '<script type="application/json" id="stedi-config">').toBe(true);
  }
  return nonce;
}

describe('the GraphiQL IDE at /graphql', () => {
  let t: TestApp;
  beforeAll(async () => {
    await ensureWebBundle();
    t = await buildTestApp({ landing: writeSmallLanding() });
  });
  afterAll(() => t.close());

  it('is served to a browser without a key, under a CSP that allows only this server', async () => {
    expectLockedDown(await request(t.server).get('/graphql').set('accept', BROWSER_ACCEPT));
  });

  it('names its files, its API and the lake page by relative URLs, so a proxy may serve it under a path', async () => {
    for (const [path, root] of [['/graphql', ''], ['/graphql/', '../'], ['/graphql?tab=1', '']] as const) {
      const { text } = await request(t.server).get(path).set('accept', BROWSER_ACCEPT);
      expect(text).toContain(`<link rel="stylesheet" href="${root}web/ide.css">`);
      expect(text).toMatch(new RegExp(`<script nonce="[^"]+" src="${root.replace(/\./g, '\\.')}web/ide\\.js"></script>`));
      const config = JSON.parse(/<script type="application\/json" id="stedi-config">(.*?)<\/script>/s.exec(text)![1]!);
      expect({ path, graphqlPath: config.graphqlPath, lakePath: config.lakePath }).toEqual({ path, graphqlPath: `${root}graphql`, lakePath: root || './' });
    }
  });

  it('opens every examples/graphql document as a tab', async () => {
    const { text } = await request(t.server).get('/graphql').set('accept', BROWSER_ACCEPT);
    const config = JSON.parse(/<script type="application\/json" id="stedi-config">(.*?)<\/script>/s.exec(text)![1]!);
    expect(config.tabs).toHaveLength(readdirSync(EXAMPLES).filter((f) => f.endsWith('.graphql')).length);
    expect(config.tabs.map((tab: { query: string }) => tab.query).join('\n')).toContain('query TrainingPage(');
  });

  it('opens each tab with a value for every variable its first operation needs (CustomerWithReadings: a serialNumber)', async () => {
    const { text } = await request(t.server).get('/graphql').set('accept', BROWSER_ACCEPT);
    const config = JSON.parse(/<script type="application\/json" id="stedi-config">(.*?)<\/script>/s.exec(text)![1]!);
    const missing = config.tabs.flatMap((tab: { query: string; variables?: string }) => {
      const operation = parse(tab.query).definitions.find((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition')!;
      const given = JSON.parse(tab.variables ?? '{}') as Record<string, unknown>;
      const needed = (operation.variableDefinitions ?? []).filter((v) => v.type.kind === Kind.NON_NULL_TYPE && !v.defaultValue).map((v) => v.variable.name.value);
      return needed.filter((name) => typeof given[name] !== 'string' || given[name] === '').map((name) => `${operation.name?.value}: $${name}`);
    });
    expect(missing).toEqual([]);
    const readings = config.tabs.find((tab: { query: string }) => tab.query.includes('query CustomerWithReadings('));
    expect(JSON.parse(readings.variables)).toEqual({ serialNumber: expect.stringMatching(/^[0-9a-f-]{36}$/) });
  });

  it('opens first a tab any role can run as it is, and the admin-only documents last', async () => {
    const { text } = await request(t.server).get('/graphql').set('accept', BROWSER_ACCEPT);
    const config = JSON.parse(/<script type="application\/json" id="stedi-config">(.*?)<\/script>/s.exec(text)![1]!);
    const names = config.tabs.map((tab: { query: string }) => /^(query|mutation) (\w+)/m.exec(tab.query)![2]);
    expect(names[0]).toBe('TrainingPage');
    expect(names.slice(-2).sort()).toEqual(['CustomerContacts', 'RebuildZones']);
  });

  it('loads its bundled script and style from this server', async () => {
    const js = await request(t.server).get('/web/ide.js');
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toMatch(/javascript/);
    expect(js.text).toContain('graphiql');
    const css = await request(t.server).get('/web/ide.css');
    expect(css.headers['content-type']).toMatch(/^text\/css/);
  });

  it('sends its script and style gzipped to a browser that takes gzip, and as they are to one that does not', async () => {
    for (const [path, type] of [['/web/ide.js', /javascript/], ['/web/ide.css', /^text\/css/]] as const) {
      const plain = await request(t.server).get(path).set('Accept-Encoding', 'identity');
      expect(plain.headers['content-encoding']).toBeUndefined();
      const gzipped = await request(t.server).get(path).set('Accept-Encoding', 'gzip, deflate, br');
      expect(gzipped.status).toBe(200);
      expect(gzipped.headers['content-encoding']).toBe('gzip');
      expect(gzipped.headers['content-type']).toMatch(type);
      expect(gzipped.headers.vary).toMatch(/Accept-Encoding/);
      expect(gzipped.headers['x-content-type-options']).toBe('nosniff');
      expect(Number(gzipped.headers['content-length'])).toBeLessThan(Number(plain.headers['content-length']));
      // supertest unzips: the same bytes either way.
      expect(gzipped.text).toBe(plain.text);
    }
  });

  it('answers a Range past the end of a file 416 with its length, a failed If-Match 412, and a Range within it 206, gzipped or not', async () => {
    for (const encoding of ['identity', 'gzip']) {
      const whole = await request(t.server).get('/web/ide.css').set('Accept-Encoding', encoding);
      const length = Number(whole.headers['content-length']);
      const beyond = await request(t.server).get('/web/ide.css').set('Accept-Encoding', encoding).set('Range', `bytes=${length + 10}-`);
      expect(beyond.status).toBe(416);
      expect(beyond.headers['content-range']).toBe(`bytes */${length}`);
      expect(beyond.headers['content-type']).toMatch(/^application\/json/);
      expect(beyond.headers['content-encoding']).toBeUndefined();
      expect(beyond.body.errors).toEqual([{ message: expect.stringMatching(/Range header asks only for bytes beyond the end/), extensions: { code: 'BAD_USER_INPUT' } }]);
      const changed = await request(t.server).get('/web/ide.css').set('Accept-Encoding', encoding).set('If-Match', '"not-this-file"');
      expect(changed.status).toBe(412);
      expect(changed.body.errors[0].message).toMatch(/If-Match/);
      const part = await request(t.server).get('/web/ide.css').set('Accept-Encoding', 'identity').set('Range', 'bytes=0-9');
      expect(part.status).toBe(206);
      expect(part.headers['content-length']).toBe('10');
    }
  });

  it('serves the plain file when its gzip cannot be read, never a JSON error labelled gzip', async () => {
    // A gzip that exists but cannot be sent (here a folder in its place; unreadable files do the same).
    const name = `review-${process.pid}`;
    writeFileSync(join(WEB_DIR, `${name}.css`), 'body { color: red; }\n');
    mkdirSync(join(WEB_DIR, `${name}.css.gz`));
    try {
      const res = await request(t.server).get(`/web/${name}.css`).set('Accept-Encoding', 'gzip');
      expect([res.status, res.headers['content-encoding'], res.headers['content-type'], res.text]).toEqual([200, undefined, 'text/css; charset=utf-8', 'body { color: red; }\n']);
    } finally {
      rmSync(join(WEB_DIR, `${name}.css`), { force: true });
      rmSync(join(WEB_DIR, `${name}.css.gz`), { recursive: true, force: true });
    }
  });

  it("answers a browser's HEAD of either page with the headers its GET has, not a 401 or a redirect (a link checker, an uptime probe)", async () => {
    for (const path of ['/graphql', '/']) {
      const get = await request(t.server).get(path).set('accept', BROWSER_ACCEPT);
      const head = await request(t.server).head(path).set('accept', BROWSER_ACCEPT);
      expect([head.status, head.headers['content-type'], head.text]).toEqual([200, get.headers['content-type'], undefined]);
      expect(head.headers['content-security-policy']).toMatch(/default-src 'none'/);
    }
  });

  it('is not served to a non-browser GET, which needs a key like any GraphQL request', async () => {
    const res = await request(t.server).get('/graphql').query({ query: '{ lake { liveVersion } }' }).set('accept', 'application/json');
    expect(res.status).toBe(401);
    expect(res.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });

  it('answers a GET query carrying a key without an Apollo preflight header, as urql sends by default', async () => {
    // urql's default GET has a key and no apollo-require-preflight; Apollo's CSRF check refused it with a 400.
    const res = await request(t.server)
      .get('/graphql')
      .query({ query: 'query Live($n: Int) { lake { liveVersion } customers(first: $n) { edges { node { serialNumber } } } }', operationName: 'Live', variables: '{"n":1}' })
      .set('accept', 'application/graphql-response+json, application/graphql+json, application/json, text/event-stream, multipart/mixed')
      .set('authorization', `Bearer ${ANALYST_KEY}`);
    expect(res.status).toBe(200);
    expect(res.body.data.lake.liveVersion).toEqual(expect.any(String));
    expect(res.body.data.customers.edges).toHaveLength(1);
  });

  it('still refuses a GET query without a key before Apollo sees it: a form on another site sends none', async () => {
    const res = await request(t.server).get('/graphql').query({ query: '{ lake { liveVersion } }' }).set('accept', 'application/json').set('apollo-require-preflight', 'true');
    expect(res.status).toBe(401);
    expect(res.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });
});

describe('the lake page at /', () => {
  let t: TestApp;
  beforeAll(async () => {
    await ensureWebBundle();
    t = await buildTestApp({ landing: writeSmallLanding() });
  });
  afterAll(() => t.close());

  it('is served to a browser as HTML holding no lake data (the data needs the key)', async () => {
    const res = await request(t.server).get('/').set('accept', BROWSER_ACCEPT);
    expectLockedDown(res);
    expect(res.text).toContain('id="zones"');
    expect(res.text).not.toMatch(/customer_curated|\d{2},\d{3}/);
  });

  it('sends a non-browser client to /graphql, by a relative URL a proxy serving the server under a path keeps', async () => {
    const res = await request(t.server).get('/');
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('graphql');
  });

  it('reads the quarantine per landing source through GraphQL, with a key only', async () => {
    const query = '{ lake { versions { live landing { source lines accepted quarantined blank uncertain } } } }';
    expect((await t.graphql(query, null)).status).toBe(401);
    const res = await t.graphql(query, ANALYST_KEY);
    const live = res.body.data.lake.versions.find((v: { live: boolean }) => v.live);
    expect(live.landing.map((s: { source: string }) => s.source)).toEqual(['customer', 'accelerometer', 'step_trainer']);
    for (const s of live.landing) expect(s.accepted + s.quarantined + s.blank).toBe(s.lines);
    expect(live.landing[0].uncertain).toBe(0);
  });

  it('lists rebuild jobs for an admin key only', async () => {
    expect((await t.graphql('{ rebuildJobs { id } }', ANALYST_KEY)).body.errors[0].extensions.code).toBe('FORBIDDEN');
    expect((await t.graphql('{ rebuildJobs { id } }', ADMIN_KEY)).body.data.rebuildJobs).toEqual(expect.any(Array));
  });
});
