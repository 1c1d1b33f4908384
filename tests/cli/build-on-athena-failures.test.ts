import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { AthenaEngine } from '../../etl/engine/athena/athena-engine';
import type { AthenaEngineOptions } from '../../etl/engine/athena/athena-options';
import { SOURCES } from '../../etl/tables';
import { AthenaOnDuckDb } from '../helpers/athena-on-duckdb';
import { type FakeAws, fakeAws } from '../helpers/fake-aws';
import { writeSmallLanding } from '../helpers/landing-fixture';
import { runCli } from '../helpers/run-cli';

/**
 * `stedi build --engine athena` against an account that is not right (aws-sdk-client-mock behind the CLI's own engine):
 * each failure is one `stedi: ` line saying what to fix, exit 1, nothing on stdout.
 */

const LAKE = 's3://example-bucket/stedi';

describe('stedi build on Athena when the account says no', () => {
  let aws: FakeAws;
  let duck: AthenaOnDuckDb;
  // The clients the CLI's engine gets: the account above, or one whose S3 refuses the credentials.
  let clients: FakeAws['clients'];
  beforeAll(async () => {
    const landing = writeSmallLanding();
    aws = fakeAws();
    duck = await AthenaOnDuckDb.create(aws.s3, Object.fromEntries(SOURCES.map((s) => [`${LAKE}/${s}/landing/`, join(landing, s, 'landing')])));
  });
  beforeEach(() => {
    aws.athena.handler = duck.handler;
    aws.athena.workgroup = { Name: 'primary', State: 'ENABLED', Configuration: { ResultConfiguration: { OutputLocation: 's3://results-bucket/athena/' } } };
    clients = aws.clients;
    jest.spyOn(AthenaEngine, 'open').mockImplementation(async (options: AthenaEngineOptions) => new AthenaEngine({ ...options, pollMinMs: 1, pollMaxMs: 2 }, clients));
  });
  afterEach(() => {
    jest.restoreAllMocks();
    aws.athena.throttleStarts = 0;
  });
  afterAll(() => duck.close());

  const build = () => runCli('build', '--engine', 'athena', '--lake', LAKE, '--region', 'eu-west-1');
  const failsWith = async (line: string | RegExp): Promise<void> => {
    const run = await build();
    expect({ exitCode: run.exitCode, stdout: run.stdout }).toEqual({ exitCode: 1, stdout: '' });
    expect(run.stderr).toMatch(/^stedi: [^\n]+\n$/);
    if (typeof line === 'string') expect(run.stderr).toBe(`stedi: ${line}\n`);
    else expect(run.stderr).toMatch(line);
  };

  it('says Athena throttled every retry, the setting that counts them, and what to do', async () => {
    // It said "the query engine refused the query for now (throttled) after every retry": no engine, cause or fix.
    aws.athena.throttleStarts = 1_000;
    await failsWith(
      "Athena still throttled the query after every retry (TooManyRequestsException; STEDI_ATHENA_MAX_RETRIES): too many queries are running in the account or workgroup; run it again in a few minutes, or ask AWS to raise the account's Athena query quota",
    );
  });

  it('names a workgroup that does not exist, or has no results location, and the setting to change', async () => {
    aws.athena.workgroup = undefined;
    await failsWith('Athena workgroup "primary" does not exist in eu-west-1: create it (aws athena create-work-group --name primary) or pass --workgroup / STEDI_ATHENA_WORKGROUP');
    aws.athena.workgroup = { Name: 'primary', State: 'ENABLED', Configuration: {} };
    await failsWith(/^stedi: Athena workgroup "primary" has no query results location and STEDI_ATHENA_OUTPUT is not set: set STEDI_ATHENA_OUTPUT \(or --output-location\)/);
  });

  it("says a query Athena FAILED with Athena's own reason, and refused credentials with how to renew them", async () => {
    aws.athena.handler = (q) => (q.sql.startsWith('CREATE TABLE') ? { error: { reason: "SYNTAX_ERROR: line 1:8: Column 'x' cannot be resolved", category: 2, retryable: false } } : duck.handler(q));
    await failsWith(/^stedi: Athena query q-\d+ failed \(USER error 1000\): SYNTAX_ERROR: line 1:8: Column 'x' cannot be resolved\n$/);
    const refused = fakeAws();
    clients = refused.clients;
    refused.s3.mock.on(GetObjectCommand).rejects(Object.assign(new Error('The AWS Access Key Id you provided does not exist in our records.'), { name: 'InvalidAccessKeyId', $metadata: { httpStatusCode: 403 } }));
    await failsWith(/AWS refused the credentials \(expired or invalid\): renew them \(for example `aws sso login`\) and try again\n$/);
  });

  it('says a CTAS that FAILED after writing part of its table in one line, and leaves none of what it wrote, nor the lock', async () => {
    const written: string[] = [];
    aws.athena.handler = (q) => {
      if (!q.sql.startsWith('CREATE TABLE "stedi"."step_trainer_trusted__')) return duck.handler(q);
      // Athena writes a table's files as it goes: a CTAS that fails half way leaves some behind.
      const location = /external_location = '([^']+)'/.exec(q.sql)![1]!;
      aws.s3.put(`${location}part-00000.parquet`, 'half');
      written.push(location);
      return { error: { reason: 'HIVE_BAD_DATA: Error reading page half way', category: 3, retryable: false } };
    };
    await failsWith(/^stedi: Athena query q-\d+ failed \(OTHER error 1000\): HIVE_BAD_DATA: Error reading page half way\n$/);
    expect(written).not.toEqual([]);
    for (const location of written) expect(aws.s3.keysUnder(location)).toEqual([]);
    expect(aws.s3.has(`${LAKE}/_stedi/build.lock`)).toBe(false);
  });

  it("says a query that failed on its results location which setting names it, beyond Athena's own words", async () => {
    aws.athena.handler = () => ({ error: { reason: 'Unable to verify/create output bucket results-bucket', category: 1, retryable: false } });
    await failsWith(/^stedi: Athena query q-\d+ failed \(SYSTEM error 1000\): Unable to verify\/create output bucket results-bucket; check the query results location \(STEDI_ATHENA_OUTPUT or --output-location, else the workgroup's\): its bucket must exist in this region/);
  });

  it.each([
    ['a redirect to its endpoint', () => Object.assign(new Error('The bucket you are attempting to access must be addressed using the specified endpoint. Please send all future requests to this endpoint.'), { name: 'PermanentRedirect', Endpoint: 'example-bucket.s3.us-east-2.amazonaws.com', $metadata: { httpStatusCode: 301 } })],
    ['a signature for the wrong region', () => Object.assign(new Error("The authorization header is malformed; the region 'eu-west-1' is wrong; expecting 'us-east-2'"), { name: 'AuthorizationHeaderMalformed', Region: 'us-east-2', $metadata: { httpStatusCode: 400 } })],
  ])("names the bucket's region and the setting when S3 answers it is in another (%s), in build and doctor", async (_how, answer) => {
    // It printed S3's own words alone ("must be addressed using the specified endpoint"), and doctor said to grant s3:ListBucket.
    const elsewhere = fakeAws();
    elsewhere.athena.workgroup = aws.athena.workgroup;
    elsewhere.s3.mock.on(GetObjectCommand).callsFake(() => Promise.reject(answer()));
    elsewhere.s3.mock.on(ListObjectsV2Command).callsFake(() => Promise.reject(answer()));
    clients = elsewhere.clients;
    const fix = 'the bucket is in region us-east-2, not the one this command uses: set AWS_REGION (or pass --region) to us-east-2';
    const run = await build();
    expect({ exitCode: run.exitCode, stdout: run.stdout }).toEqual({ exitCode: 1, stdout: '' });
    expect(run.stderr).toMatch(/^stedi: cannot read the lake's manifest s3:[^\n]+\n$/);
    expect(run.stderr).toContain(`): ${fix}; Athena, Glue and the lake's bucket are used in one region\n`);
    const doctor = await runCli('doctor', '--engine', 'athena', '--lake', LAKE, '--region', 'eu-west-1');
    expect(doctor.exitCode).toBe(1);
    expect(doctor.stdout.split('\n').find((l) => l.startsWith('FAIL  customer landing'))).toContain(`): ${fix};`);
    expect(doctor.stdout).not.toContain('grant s3:ListBucket');
  });
});
