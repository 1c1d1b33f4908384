import request from 'supertest';
import { MAX_ENTRY_BYTES, ResponseCache } from '../../src/http/response-cache';
import { ADMIN_KEY, ANALYST_KEY, buildTestApp, type TestApp } from '../helpers/http-app';
import { customerRecord, writeLanding } from '../helpers/landing-fixture';
import { nameOf, serialOf, writeManyCustomersLanding, type ManyCustomers } from '../helpers/many-customers-landing';

/**
 * Whole answers kept for repeated read queries (issue 11: cheaper per
 * request): a repeat skips the engine, yet a revocation, the caller's role,
 * the variables and non-data fields are never answered from another's entry.
 */

const SMALL = 'query Small($serial: String!) { customer(serialNumber: $serial) { serialNumber email stepTrainerReadings(first: 3) { edges { cursor node { sensorReadingTime } } } } }';

describe('the cache of whole answers', () => {
  let fixture: ManyCustomers;
  let t: TestApp;
  let queries = 0;
  beforeEach(async () => {
    fixture = writeManyCustomersLanding(6, 3);
    queries = 0;
    t = await buildTestApp({ landing: fixture.landing });
    // Every read of rows goes through the read cache: counting its calls counts the answers executed.
    const reads = t.lake.services.reads;
    const query = reads.query.bind(reads);
    reads.query = (...args) => ((queries += 1), query(...args));
  });
  afterEach(() => t.close());

  it('answers a repeated query without executing it again, with the same answer', async () => {
    const first = await t.graphql(SMALL, ADMIN_KEY, { serial: serialOf(0) });
    expect(first.body.errors).toBeUndefined();
    expect(first.body.data.customer.stepTrainerReadings.edges).toHaveLength(3);
    const before = queries;
    const again = await t.graphql(SMALL, ADMIN_KEY, { serial: serialOf(0) });
    expect(again.body).toEqual(first.body);
    expect(queries).toBe(before);
    const other = await t.graphql(SMALL, ADMIN_KEY, { serial: serialOf(1) });
    expect(other.body.data.customer.serialNumber).toBe(serialOf(1));
  });

  it('hides a customer at once when a refresh of the consent registry sees a revocation', async () => {
    const shown = await t.graphql(SMALL, ADMIN_KEY, { serial: serialOf(2) });
    expect(shown.body.data.customer.serialNumber).toBe(serialOf(2));
    writeLanding(fixture.landing, 'customer', [customerRecord({ name: nameOf(2), serial: serialOf(2), consentAt: null, updatedAt: 1_700_000_000_000 })], 'customer-revoke.json');
    await t.lake.services.consent.refresh();
    const hidden = await t.graphql(SMALL, ADMIN_KEY, { serial: serialOf(2) });
    expect(hidden.body).toEqual({ data: { customer: null } });
  });

  it('keeps answers apart by role: an analyst never gets an admin\'s personal fields', async () => {
    const admin = await t.graphql(SMALL, ADMIN_KEY, { serial: serialOf(0) });
    expect(admin.body.data.customer.email).toEqual(expect.any(String));
    const analyst = await t.graphql(SMALL, ANALYST_KEY, { serial: serialOf(0) });
    expect(analyst.body.errors[0].extensions.code).toBe('FORBIDDEN');
    expect(analyst.body.data.customer.email).toBeNull();
  });

  it('reads afresh what is not a lake version\'s data, and answers that fail', async () => {
    const lake = '{ customers(first: 1) { edges { node { serialNumber } } } lake { liveVersion } }';
    await t.graphql(lake, ADMIN_KEY);
    const before = queries;
    await t.graphql(lake, ADMIN_KEY);
    expect(queries).toBeGreaterThan(before);
    const bad = 'query Bad($after: String) { customers(first: 1, after: $after) { edges { node { serialNumber } } } }';
    const refused = await t.graphql(bad, ADMIN_KEY, { after: 'not-a-cursor' });
    expect(refused.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect((await t.graphql(bad, ADMIN_KEY, { after: 'not-a-cursor' })).body).toEqual(refused.body);
  });

  it('still refuses a request over the limits whose text it has answered before', async () => {
    const pages = 'query P($n: Int) { customers(first: $n) { edges { node { serialNumber } } } }';
    expect((await t.graphql(pages, ADMIN_KEY, { n: 2 })).status).toBe(200);
    const huge = await t.graphql(pages, ADMIN_KEY, { n: 100_000 });
    expect(huge.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
  });

  it('answers a kept answer before Apollo with the same bytes and headers, counted under its operation', async () => {
    const first = await t.graphql(SMALL, ADMIN_KEY, { serial: serialOf(3) });
    const before = queries;
    const again = await t.graphql(SMALL, ADMIN_KEY, { serial: serialOf(3) });
    expect(queries).toBe(before);
    expect(again.text).toBe(first.text);
    expect(again.headers['content-type']).toBe(first.headers['content-type']);
    expect(again.headers['content-length']).toBe(first.headers['content-length']);
    expect(again.headers['x-request-id']).toEqual(expect.any(String));
    const metrics = await request(t.server).get('/metrics');
    expect(metrics.text).toMatch(/stedi_graphql_operations_total\{operation="Small",type="query",outcome="ok"\} 2/);
  });

  it('leaves to Apollo what it negotiates or checks itself, with the same answer', async () => {
    const first = await t.graphql(SMALL, ADMIN_KEY, { serial: serialOf(0) });
    const negotiated = await t.graphql(SMALL, ADMIN_KEY, { serial: serialOf(0) }).set('accept', 'application/graphql-response+json');
    expect(negotiated.headers['content-type']).toMatch(/^application\/graphql-response\+json/);
    expect(JSON.parse(negotiated.text)).toEqual(first.body);
    const withExtensions = await request(t.server).post('/graphql').set('authorization', `Bearer ${ADMIN_KEY}`).send({ query: SMALL, variables: { serial: serialOf(0) }, extensions: {} });
    expect(withExtensions.body).toEqual(first.body);
    const unauthenticated = await t.graphql(SMALL, null, { serial: serialOf(0) });
    expect(unauthenticated.status).toBe(401);
  });

  it('keeps no answer above its per-answer bound, and stays within its byte bound', () => {
    const cache = new ResponseCache(64 * 1024);
    cache.keep('\u0000k', 'x'.repeat(MAX_ENTRY_BYTES), 'Big');
    expect(cache.size.entries).toBe(0);
    for (let i = 0; i < 100; i += 1) cache.keep(`\u0000k${i}`, 'y'.repeat(4_000), null);
    expect(cache.size.bytes).toBeLessThanOrEqual(64 * 1024);
    expect(cache.size.entries).toBeGreaterThan(0);
    expect(cache.get('\u0000k99')?.text).toBe('y'.repeat(4_000));
  });
});
