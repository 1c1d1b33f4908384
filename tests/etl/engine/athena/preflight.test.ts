import { GetWorkGroupCommand, StartQueryExecutionCommand } from '@aws-sdk/client-athena';
import { GetTablesCommand } from '@aws-sdk/client-glue';
import { ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { runBuild } from '../../../../etl/build';
import { AthenaEngine, type AthenaClients } from '../../../../etl/engine/athena/athena-engine';
import { PreflightError } from '../../../../etl/engine/athena/preflight';
import { SOURCES } from '../../../../etl/tables';
import { type FakeAws, fakeAws } from '../../../helpers/fake-aws';

const LAKE = 's3://example-bucket/stedi';

const accessDenied = (message: string) => Object.assign(new Error(message), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 403 } });

/** An account where every pre-flight check passes: the default workgroup has a results location, landing holds data. */
function account(): { aws: FakeAws; engine: AthenaEngine } {
  const aws = fakeAws(() => ({ columns: [{ name: 'ok', type: 'integer' }], rows: [['1']] }));
  for (const source of SOURCES) aws.s3.put(`${LAKE}/${source}/landing/part-0.json`, '{}\n');
  return { aws, engine: new AthenaEngine({ lake: LAKE, region: 'eu-west-1' }, aws.clients as AthenaClients) };
}

/** Runs a build and returns its error: it must fail before any query starts and leave no lock behind. */
async function refusedBuild(aws: FakeAws, engine: AthenaEngine): Promise<Error> {
  const error = await runBuild(await engine.buildTarget({})).then(
    () => {
      throw new Error('the build was expected to be refused');
    },
    (e: Error) => e,
  );
  expect(aws.athena.mock.commandCalls(StartQueryExecutionCommand)).toHaveLength(0);
  expect(aws.s3.has(`${LAKE}/_stedi/build.lock`)).toBe(false);
  // One line, naming the resource and the fix.
  expect(error.message).not.toContain('\n');
  return error;
}

describe('the Athena pre-flight', () => {
  it('passes an account that is set up, checking every resource once with free metadata calls', async () => {
    const { aws, engine } = account();
    const checks = await engine.preflight().report();
    expect(checks.map((c) => [c.name, c.ok])).toEqual([
      ['workgroup', true],
      ['glue tables', true],
      ['customer landing', true],
      ['accelerometer landing', true],
      ['step_trainer landing', true],
      ['lake writable', true],
    ]);
    expect(checks[0].message).toBe('Athena workgroup "primary" is usable; query results go to s3://results-bucket/athena/');
    expect(aws.athena.mock.commandCalls(GetWorkGroupCommand)).toHaveLength(1);
    expect(aws.glue.mock.commandCalls(GetTablesCommand)).toHaveLength(1);
    expect(aws.athena.queries).toHaveLength(0);
    // The lock was taken and given back.
    expect(aws.s3.mock.commandCalls(PutObjectCommand).map((c) => c.args[0].input.Key)).toEqual(['stedi/_stedi/build.lock']);
    expect(aws.s3.has(`${LAKE}/_stedi/build.lock`)).toBe(false);
  });

  it('refuses a workgroup that does not exist', async () => {
    const { aws, engine } = account();
    aws.athena.workgroup = undefined;
    const error = await refusedBuild(aws, engine);
    expect(error).toBeInstanceOf(PreflightError);
    expect(error.message).toBe(
      'Athena workgroup "primary" does not exist in eu-west-1: create it (aws athena create-work-group --name primary) or pass --workgroup / STEDI_ATHENA_WORKGROUP',
    );
  });

  it('refuses a disabled workgroup, and one this identity may not read', async () => {
    const { aws, engine } = account();
    aws.athena.workgroup = { Name: 'primary', State: 'DISABLED', Configuration: { ResultConfiguration: { OutputLocation: 's3://results-bucket/athena/' } } };
    expect((await refusedBuild(aws, engine)).message).toMatch(/^Athena workgroup "primary" is disabled: enable it \(aws athena update-work-group --work-group primary --state ENABLED\)/);

    aws.athena.mock.on(GetWorkGroupCommand).rejects(accessDenied('User: arn:aws:iam::1:user/x is not authorized to perform: athena:GetWorkGroup'));
    expect((await refusedBuild(aws, engine)).message).toBe(
      'cannot read Athena workgroup "primary" (AccessDeniedException: User: arn:aws:iam::1:user/x is not authorized to perform: athena:GetWorkGroup): grant athena:GetWorkGroup on it',
    );
  });

  it('refuses to build without a query results location, and accepts STEDI_ATHENA_OUTPUT or a managed one instead', async () => {
    const { aws, engine } = account();
    aws.athena.workgroup = { Name: 'primary', State: 'ENABLED', Configuration: {} };
    expect((await refusedBuild(aws, engine)).message).toBe(
      'Athena workgroup "primary" has no query results location and STEDI_ATHENA_OUTPUT is not set: set STEDI_ATHENA_OUTPUT (or --output-location) to an s3:// prefix this identity can write, or give the workgroup a results location',
    );
    const withOutput = new AthenaEngine({ lake: LAKE, outputLocation: 's3://my-results/athena/' }, aws.clients);
    expect((await withOutput.preflight().report())[0]).toEqual({ name: 'workgroup', ok: true, message: 'Athena workgroup "primary" is usable; query results go to s3://my-results/athena/' });
    aws.athena.workgroup = { Name: 'primary', State: 'ENABLED', Configuration: { ManagedQueryResultsConfiguration: { Enabled: true } } };
    const [managed] = await engine.preflight().report();
    expect(managed.ok).toBe(true);
    // Usable, but the export copies a result file from S3, which such a workgroup never writes.
    expect(managed.message).toContain('/export (which copies a result file from S3) is not available');
  });

  it('refuses to build in a workgroup that overrides client-side settings, while the API keeps reading through it', async () => {
    const { aws, engine } = account();
    aws.athena.workgroup = {
      Name: 'primary',
      State: 'ENABLED',
      Configuration: { EnforceWorkGroupConfiguration: true, ResultConfiguration: { OutputLocation: 's3://results-bucket/enforced/' } },
    };
    expect((await refusedBuild(aws, engine)).message).toBe(
      'Athena workgroup "primary" overrides client-side settings, so Athena refuses the external_location that puts each built version in its own prefix: build with a workgroup that does not (--workgroup / STEDI_ATHENA_WORKGROUP) or turn "Override client-side settings" off; the API may keep using "primary"',
    );
    expect(aws.s3.keysUnder(LAKE).filter((k) => !k.includes('/landing/'))).toEqual([]);
    // Reads need no location of their own: the workgroup's is used.
    await expect(engine.query('SELECT 1 AS ok')).resolves.toEqual([{ ok: 1 }]);
  });

  it('refuses a Glue table under a live name in one line, naming it and the fix; views and a missing database pass', async () => {
    const { aws, engine } = account();
    aws.glue.tables = [
      { Name: 'customer_trusted', TableType: 'EXTERNAL_TABLE' },
      { Name: 'machine_learning_curated', TableType: 'EXTERNAL_TABLE' },
      { Name: 'step_trainer_trusted', TableType: 'VIRTUAL_VIEW' },
      { Name: 'customer_trusted__20260101t000000000z_aaaa', TableType: 'EXTERNAL_TABLE' },
      { Name: 'other_table', TableType: 'EXTERNAL_TABLE' },
    ];
    expect((await refusedBuild(aws, engine)).message).toBe(
      'Glue database "stedi" already holds tables "customer_trusted", "machine_learning_curated" where the build publishes views of the same names: drop them (DROP TABLE leaves the S3 data) or use another database (--glue-database / STEDI_GLUE_DATABASE)',
    );
    aws.glue.tables = [{ Name: 'step_trainer_trusted', TableType: 'VIRTUAL_VIEW' }];
    expect((await engine.preflight().report())[1].ok).toBe(true);
    aws.glue.tables = undefined;
    expect((await engine.preflight().report())[1]).toEqual({ name: 'glue tables', ok: true, message: 'Glue database "stedi" does not exist yet; the build creates it' });

    aws.glue.mock.on(GetTablesCommand).rejects(accessDenied('not authorized to perform: glue:GetTables'));
    expect((await refusedBuild(aws, engine)).message).toBe(
      'cannot list the tables of Glue database "stedi" (AccessDeniedException: not authorized to perform: glue:GetTables): grant glue:GetTables on the catalog, the database and its tables',
    );
  });

  it('refuses a landing prefix that holds no objects (a console folder marker is not data)', async () => {
    const { aws, engine } = account();
    aws.s3.objects.delete('example-bucket/stedi/accelerometer/landing/part-0.json');
    aws.s3.put(`${LAKE}/accelerometer/landing/`, '');
    expect((await refusedBuild(aws, engine)).message).toBe(
      `the landing prefix ${LAKE}/accelerometer/landing/ holds no objects: upload the accelerometer NDJSON files there, or point --landing / STEDI_LANDING at the prefix holding accelerometer/landing/`,
    );
    const checks = await engine.preflight().report();
    expect(checks.filter((c) => !c.ok).map((c) => c.name)).toEqual(['accelerometer landing']);
  });

  it('refuses landing objects Athena would read differently from the embedded engine, naming them, and passes what both skip', async () => {
    const { aws, engine } = account();
    // Both engines skip these: Spark's marker, a Mac's folder file, a hidden folder.
    for (const name of ['_SUCCESS', '.DS_Store', '_temporary/part-1.json']) aws.s3.put(`${LAKE}/customer/landing/${name}`, '{}\n');
    expect((await engine.preflight().report()).every((c) => c.ok)).toBe(true);

    // A revocation the embedded engine reads, and Athena's reader takes for a hidden file.
    aws.s3.put(`${LAKE}/customer/landing/_late-revocations.json`, '{}\n');
    expect((await refusedBuild(aws, engine)).message).toBe(
      `Athena skips objects whose names start with _ or ., which the embedded engine reads as landing data (${LAKE}/customer/landing/_late-revocations.json): rename them without the leading _ or . so both engines read the same records`,
    );
    aws.s3.objects.delete('example-bucket/stedi/customer/landing/_late-revocations.json');

    // Objects Athena reads as lines, and the embedded engine does not read at all.
    for (const name of ['notes.txt', '2026/part-1.json', 'part-2.json.gz', 'part-3.csv', 'z.json.bak']) aws.s3.put(`${LAKE}/step_trainer/landing/${name}`, 'x');
    expect((await refusedBuild(aws, engine)).message).toBe(
      `Athena reads every object under the landing prefix, but landing data is only the .json, .jsonl and .ndjson files directly in it (${LAKE}/step_trainer/landing/2026/part-1.json, ${LAKE}/step_trainer/landing/notes.txt, ${LAKE}/step_trainer/landing/part-2.json.gz and 2 more): move the other objects out of ${LAKE}/step_trainer/landing/, or give landing files one of those names`,
    );
    const checks = await engine.preflight().report();
    expect(checks.filter((c) => !c.ok).map((c) => c.name)).toEqual(['step_trainer landing']);
  });

  it('refuses a landing prefix it may not list', async () => {
    const { aws, engine } = account();
    aws.s3.mock.on(ListObjectsV2Command).rejects(Object.assign(new Error('Access Denied'), { name: 'AccessDenied' }));
    expect((await refusedBuild(aws, engine)).message).toBe(
      `cannot list the landing prefix ${LAKE}/customer/landing/ (AccessDenied: Access Denied): grant s3:ListBucket on bucket example-bucket for that prefix, or fix --landing / STEDI_LANDING`,
    );
  });

  it('refuses a lake prefix it may not write: the lock PUT fails, before any query', async () => {
    const { aws, engine } = account();
    aws.s3.mock.on(PutObjectCommand).rejects(Object.assign(new Error('Access Denied'), { name: 'AccessDenied' }));
    const message = `cannot write the lake's lock ${LAKE}/_stedi/build.lock (AccessDenied: Access Denied): grant s3:PutObject, s3:GetObject and s3:DeleteObject on ${LAKE}/* (and kms:GenerateDataKey on the bucket's key if it uses SSE-KMS)`;
    expect((await refusedBuild(aws, engine)).message).toBe(message);
    expect((await engine.preflight().report()).find((c) => c.name === 'lake writable')).toEqual({ name: 'lake writable', ok: false, message });
  });

  it('reports a running build’s lock as a writable lake and leaves that lock alone', async () => {
    const { aws, engine } = account();
    aws.s3.put(`${LAKE}/_stedi/build.lock`, JSON.stringify({ owner: 'build x', since: '2026-01-01T00:00:00.000Z' }));
    const check = (await engine.preflight().report()).find((c) => c.name === 'lake writable');
    expect(check).toEqual({ name: 'lake writable', ok: true, message: `a build is running (${LAKE}/_stedi/build.lock is held)` });
    expect(aws.s3.has(`${LAKE}/_stedi/build.lock`)).toBe(true);
  });

  it('says to set up credentials or a region, not to grant permissions, when the calls never had them', async () => {
    const noCredentials = Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });
    const { aws, engine } = account();
    aws.athena.mock.on(GetWorkGroupCommand).rejects(noCredentials);
    aws.glue.mock.on(GetTablesCommand).rejects(noCredentials);
    aws.s3.mock.on(ListObjectsV2Command).rejects(noCredentials);
    aws.s3.mock.on(PutObjectCommand).rejects(noCredentials);
    const checks = await engine.preflight().report();
    expect(checks.every((c) => !c.ok)).toBe(true);
    for (const check of checks) {
      expect(check.message).toContain('no AWS credentials were found: set AWS_PROFILE');
      expect(check.message).not.toContain('grant ');
    }

    const regionless = account();
    regionless.aws.athena.mock.on(GetWorkGroupCommand).rejects(new Error('Region is missing'));
    const [workgroup] = await regionless.engine.preflight().report();
    expect(workgroup.message).toBe('cannot read Athena workgroup "primary" (error: Region is missing): no AWS region is set: set AWS_REGION (or pass --region)');

    const expired = account();
    expired.aws.athena.mock.on(GetWorkGroupCommand).rejects(Object.assign(new Error('The security token included in the request is expired'), { name: 'ExpiredTokenException' }));
    expect((await expired.engine.preflight().report())[0].message).toContain('AWS refused the credentials (expired or invalid)');

    const offline = account();
    offline.aws.athena.mock.on(GetWorkGroupCommand).rejects(Object.assign(new Error('getaddrinfo ENOTFOUND athena.eu-west-1.amazonaws.com'), { code: 'ENOTFOUND' }));
    const [unreachable] = await offline.engine.preflight().report();
    expect(unreachable.message).toContain('AWS could not be reached');
    expect(unreachable.message).not.toContain('grant ');
  });

  it('refuses STEDI_ATHENA_OUTPUT with a workgroup whose results Athena manages (Athena refuses every such query)', async () => {
    const aws = fakeAws(() => ({}));
    for (const source of SOURCES) aws.s3.put(`${LAKE}/${source}/landing/part-0.json`, '{}\n');
    aws.athena.workgroup = { Name: 'primary', State: 'ENABLED', Configuration: { ManagedQueryResultsConfiguration: { Enabled: true } } };
    const engine = new AthenaEngine({ lake: LAKE, region: 'eu-west-1', outputLocation: 's3://results-bucket/athena/' }, aws.clients as AthenaClients);
    const error = await refusedBuild(aws, engine);
    expect(error).toBeInstanceOf(PreflightError);
    expect(error.message).toContain('Athena refuses a query that also names an output location: unset STEDI_ATHENA_OUTPUT');
  });
});
