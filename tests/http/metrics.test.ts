import request from 'supertest';
import { ANALYST_KEY, buildTestApp, type TestApp } from '../helpers/http-app';
import { customerRecord, writeLanding, writeSmallLanding } from '../helpers/landing-fixture';

describe('Prometheus metrics', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ landing: writeSmallLanding() });
  });
  afterAll(() => t.close());

  it('are served at /metrics without a key, in the Prometheus text format', async () => {
    const res = await request(t.server).get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.text).toMatch(/^# HELP /m);
  });

  it('count and time GraphQL operations by name, engine queries, HTTP requests and the build state', async () => {
    const res = await t.graphql('query CustomerPage { customers(first: 2) { totalCount } }', ANALYST_KEY);
    expect(res.body.errors).toBeUndefined();
    const text = (await request(t.server).get('/metrics')).text;
    expect(text).toMatch(/^stedi_graphql_operations_total\{operation="CustomerPage",type="query",outcome="ok"\} 1$/m);
    expect(text).toMatch(/^stedi_graphql_operation_duration_seconds_count\{operation="CustomerPage",type="query"\} 1$/m);
    expect(text).toMatch(/^stedi_engine_query_duration_seconds_count\{method="query",outcome="ok"\} [1-9]\d*$/m);
    expect(text).toMatch(/^stedi_http_requests_total\{route="\/graphql",method="POST",status="200"\} 1$/m);
    expect(text).toMatch(/^stedi_http_request_duration_seconds_bucket\{le="[^"]+",route="\/graphql"\}/m);
    expect(text).toMatch(/^stedi_lake_live_version_built_timestamp_seconds [1-9]/m);
    expect(text).toMatch(/^stedi_lake_table_rows\{table="customer_curated"\} 2$/m);
    expect(text).toMatch(/^stedi_rebuild_running 0$/m);
    expect(text).toMatch(/^stedi_rebuild_jobs\{state="SUCCEEDED"\} 0$/m);
    expect(text).toMatch(/^# TYPE stedi_export_rows_total counter$/m);
    // A count of customers, named so: `stedi_consent_uncertain` read as a 0/1 flag.
    expect(text).toMatch(/^stedi_consent_uncertain_customers 0$/m);
  });

  it('count a failed operation as an error', async () => {
    await t.graphql('query Broken { customers(first: -1) { totalCount } }', ANALYST_KEY);
    const text = (await request(t.server).get('/metrics')).text;
    expect(text).toMatch(/^stedi_graphql_operations_total\{operation="Broken",type="query",outcome="error"\} 1$/m);
  });

  it('label operations without a name as anonymous', async () => {
    await t.graphql('query CustomerPage { customers(first: 1) { totalCount } }', ANALYST_KEY);
    await t.graphql('{ customers(first: 1) { totalCount } }', ANALYST_KEY);
    const text = (await request(t.server).get('/metrics')).text;
    expect(text).toMatch(/operation="anonymous"/);
  });

  // Last: it changes the landing the app serves.
  it('leave out trusted and curated row counts while the live version holds a customer who withdrew (no key is needed to read them)', async () => {
    writeLanding(t.lake.landing, 'customer', [customerRecord({ name: 'alice', serial: 'serial-alice', consentAt: null, updatedAt: 1_656_000_000_000 })], 'customer-2.json');
    await t.lake.services.consent.refresh();
    const text = (await request(t.server).get('/metrics')).text;
    expect(text).toMatch(/^stedi_lake_table_rows\{table="customer_landing"\} 3$/m);
    expect(text).not.toMatch(/^stedi_lake_table_rows\{table="(customer_trusted|customer_curated|accelerometer_trusted|step_trainer_trusted|machine_learning_curated)"\}/m);
  });
});
