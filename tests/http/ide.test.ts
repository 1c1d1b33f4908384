import request from 'supertest';
import { ANALYST_KEY, buildTestApp, type TestApp } from '../helpers/http-app';
import { writeSmallLanding } from '../helpers/landing-fixture';

const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

describe('the offline GraphQL IDE', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ landing: writeSmallLanding() });
  });
  afterAll(() => t.close());

  it('is served as HTML to a browser opening /graphql, without a key', async () => {
    const res = await request(t.server).get('/graphql').set('accept', BROWSER_ACCEPT);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.text).toMatch(/^<!doctype html>/i);
  });

  it('lets the user enter the key that is sent as the Authorization header', async () => {
    const { text } = await request(t.server).get('/graphql').set('accept', BROWSER_ACCEPT);
    expect(text).toMatch(/<input id="key" type="password"/);
    expect(text).toContain("headers.authorization = 'Bearer ' + key");
    expect(text).toContain('fetch(location.pathname');
  });

  it('references no external http(s) URL and allows nothing but itself', async () => {
    const res = await request(t.server).get('/graphql').set('accept', BROWSER_ACCEPT);
    expect(res.text).not.toMatch(/https?:\/\//i);
    expect(res.text).not.toMatch(/<(script|link|img|iframe)[^>]+(src|href)=/i);
    const csp = res.headers['content-security-policy'];
    expect(csp).toMatch(/default-src 'none'/);
    expect(csp).toMatch(/connect-src 'self'/);
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp)![1];
    expect(res.text).toContain(`<script nonce="${nonce}">`);
  });

  it('is what / redirects to', async () => {
    const res = await request(t.server).get('/');
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/graphql');
  });

  it('is not served to a non-browser GET, which needs a key like any GraphQL request', async () => {
    const res = await request(t.server).get('/graphql').query({ query: '{ lake { liveVersion } }' }).set('accept', 'application/json');
    expect(res.status).toBe(401);
    expect(res.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });

  it('leaves GET queries with a key to Apollo, behind its CSRF check', async () => {
    const get = () => request(t.server).get('/graphql').query({ query: '{ lake { liveVersion } }' }).set('authorization', `Bearer ${ANALYST_KEY}`);
    expect((await get()).status).toBe(400);
    const res = await get().set('apollo-require-preflight', 'true');
    expect(res.status).toBe(200);
    expect(res.body.data.lake.liveVersion).toEqual(expect.any(String));
  });
});
