import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { type OperationDefinitionNode, parse, validate } from 'graphql';
import { ADMIN_KEY, ANALYST_KEY, buildTestApp, sharedSchema, type TestApp } from '../helpers/http-app';
import { describeWithStediSample, REFERENCE_COUNTS, STEDI_SAMPLE_DIR } from '../helpers/stedi-sample';

/** README's GraphQL examples, pasted as written (into the IDE or a client), on the real data they describe. */

const README = readFileSync(resolve(__dirname, '..', '..', 'README.md'), 'utf8');
const api = README.slice(README.indexOf('## The GraphQL API'), README.indexOf('### Pagination'));
const blocks = [...api.matchAll(/```graphql\n([\s\S]*?)```/g)].map((m) => m[1]);
const curl = /-d '(\{"query":.*\})'/.exec(api.slice(api.indexOf('### Examples')))![1];

describeWithStediSample("README's GraphQL examples", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ landing: STEDI_SAMPLE_DIR });
  });
  afterAll(async () => {
    await t.lake.services.rebuilds.close();
    await t.close();
  });

  it('are four documents, each valid against the schema as written', async () => {
    expect(blocks).toHaveLength(4);
    for (const block of blocks) expect(validate(await sharedSchema(), parse(block)).map((e) => e.message)).toEqual([]);
  });

  it('pull a page of 5,000 of the training split, with its totalCount, by the document and by the curl line', async () => {
    const page = (await t.graphql(blocks[0], ANALYST_KEY)).body;
    expect(page.errors).toBeUndefined();
    expect(page.data.machineLearningSamples.edges).toHaveLength(5000);
    expect(page.data.machineLearningSamples.pageInfo.hasNextPage).toBe(true);
    const all = await t.graphql('{ machineLearningSamples { totalCount } }', ANALYST_KEY);
    expect(page.data.machineLearningSamples.totalCount).toBeLessThan(all.body.data.machineLearningSamples.totalCount);
    const curled = await t.graphql(JSON.parse(curl).query, ANALYST_KEY);
    expect(curled.body.data.machineLearningSamples.edges).toEqual(page.data.machineLearningSamples.edges);
  });

  it('find the customer with 30 step-trainer readings in the window, the name for an admin only', async () => {
    const admin = (await t.graphql(blocks[1], ADMIN_KEY)).body;
    expect(admin.errors).toBeUndefined();
    expect(admin.data.customer.customerName).toEqual(expect.any(String));
    expect(admin.data.customer.stepTrainerReadings.totalCount).toBe(30);
    expect(admin.data.customer.stepTrainerReadings.edges).toHaveLength(30);
    const analyst = (await t.graphql(blocks[1], ANALYST_KEY)).body;
    expect(analyst.data.customer.customerName).toBeNull();
    expect(analyst.errors.map((e: { extensions: { code: string } }) => e.extensions.code)).toEqual(['FORBIDDEN']);
  });

  it('nest readings under a page of customers', async () => {
    const res = (await t.graphql(blocks[2], ANALYST_KEY)).body;
    expect(res.errors).toBeUndefined();
    expect(res.data.customers.edges).toHaveLength(REFERENCE_COUNTS.any.customer_curated);
    expect(res.data.customers.edges[0].node.accelerometerReadings.edges.length).toBeGreaterThan(0);
  });

  it('check the lake, start a rebuild and follow its job, each operation picked by its name', async () => {
    const names = parse(blocks[3]).definitions.map((d) => (d as OperationDefinitionNode).name?.value);
    expect(names).toEqual(['Lake', 'Rebuild', 'Job']);
    const lake = (await t.graphql(blocks[3], ADMIN_KEY, undefined, 'Lake')).body;
    expect(lake.data.lake.tables.find((x: { name: string }) => x.name === 'machine_learning_curated').rows).toBe(REFERENCE_COUNTS.any.machine_learning_curated);
    const started = (await t.graphql(blocks[3], ADMIN_KEY, undefined, 'Rebuild')).body;
    expect(started.errors).toBeUndefined();
    let job = started.data.rebuildZones;
    for (let i = 0; i < 300 && !['SUCCEEDED', 'FAILED'].includes(job.state); i += 1) {
      await new Promise((r) => setTimeout(r, 100));
      const polled = (await t.graphql(blocks[3], ADMIN_KEY, { id: started.data.rebuildZones.id }, 'Job')).body;
      expect(polled.errors).toBeUndefined();
      job = polled.data.rebuildJob;
    }
    expect(job).toMatchObject({ state: 'SUCCEEDED', error: null, version: expect.any(String) });
  });
});
