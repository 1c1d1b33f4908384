import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type OperationDefinitionNode, parse, validate } from 'graphql';
import { ADMIN_KEY, ANALYST_KEY, buildTestApp, sharedSchema, type TestApp } from '../helpers/http-app';
import { generateLanding } from '../../etl/generate/generate';
import { SAMPLE } from '../../src/commands/start.command';
import { makeTempDir, writeSmallLanding } from '../helpers/landing-fixture';

/** The documents in examples/graphql/ are valid against the schema and run without errors through the server. */

const DIR = resolve(__dirname, '..', '..', 'examples', 'graphql');
const documents = readdirSync(DIR)
  .filter((f) => f.endsWith('.graphql'))
  .map((file) => ({ file, text: readFileSync(join(DIR, file), 'utf8') }));

const VARIABLES: Record<string, Record<string, unknown>> = {
  CustomerWithReadings: { serialNumber: 'serial-alice' },
};

describe('the example GraphQL documents', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ landing: writeSmallLanding() });
  });
  afterAll(async () => {
    await t.lake.services.rebuilds.close();
    await t.close();
  });

  it('include the training page and the rebuild mutation', () => {
    expect(documents.map((d) => d.file)).toEqual(expect.arrayContaining(['training-page.graphql', 'rebuild.graphql']));
  });

  it.each(documents.map((d) => [d.file, d.text]))('%s is valid against the schema', async (_file, text) => {
    expect(validate(await sharedSchema(), parse(text)).map((e) => e.message)).toEqual([]);
  });

  it.each(documents.map((d) => [d.file, d.text]))('%s runs with an admin key without errors', async (_file, text) => {
    const operations = parse(text).definitions.filter((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition');
    let jobId: string | undefined;
    for (const operation of operations) {
      const name = operation.name!.value;
      const variables = name === 'RebuildJob' ? { id: jobId } : VARIABLES[name];
      const res = await t.graphql(text, ADMIN_KEY, variables, name);
      expect(res.body.errors).toBeUndefined();
      expect(res.body.data).toBeTruthy();
      if (name === 'RebuildZones') jobId = res.body.data.rebuildZones.id;
    }
  });

  it('customer-with-readings.variables.json (the IDE tab\'s variables) names a consenting customer with readings of the sample `stedi start` generates', async () => {
    const landing = makeTempDir('stedi-sample-landing-');
    await generateLanding({ out: landing, ...SAMPLE });
    const sample = await buildTestApp({ landing });
    try {
      const variables = JSON.parse(readFileSync(join(DIR, 'customer-with-readings.variables.json'), 'utf8'));
      const text = documents.find((d) => d.file === 'customer-with-readings.graphql')!.text;
      const res = await sample.graphql(text, ANALYST_KEY, variables);
      expect(res.body.errors).toBeUndefined();
      expect(res.body.data.customer.serialNumber).toBe(variables.serialNumber);
      expect(res.body.data.customer.stepTrainerReadings.totalCount).toBeGreaterThan(0);
    } finally {
      await sample.close();
    }
  }, 60_000);

  it('customer-contacts.graphql is refused field by field for an analyst', async () => {
    const text = documents.find((d) => d.file === 'customer-contacts.graphql')!.text;
    const res = await t.graphql(text, ANALYST_KEY);
    expect(new Set(res.body.errors.map((e: { extensions: { code: string } }) => e.extensions.code))).toEqual(new Set(['FORBIDDEN']));
  });
});
