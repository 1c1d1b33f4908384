import { AthenaClient, GetWorkGroupCommand, StartQueryExecutionCommand } from '@aws-sdk/client-athena';
import { GetTablesCommand, GlueClient } from '@aws-sdk/client-glue';
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { manifestOfVersions } from '../helpers/manifest-fixture';
import { runCli } from '../helpers/run-cli';
import { spawnBin } from '../helpers/spawn-cli';

const LAKE = 's3://example-bucket/stedi';

/** Every client the CLI creates answers from these mocks (aws-sdk-client-mock patches the class). */
function mockAccount(tables: { Name: string; TableType: string }[] = []) {
  const athena = mockClient(AthenaClient);
  const glue = mockClient(GlueClient);
  const s3 = mockClient(S3Client);
  athena.on(GetWorkGroupCommand).resolves({ WorkGroup: { Name: 'analytics', State: 'ENABLED', Configuration: { ResultConfiguration: { OutputLocation: 's3://results-bucket/athena/' } } } });
  glue.on(GetTablesCommand).resolves({ TableList: tables });
  s3.on(ListObjectsV2Command).callsFake((input: { Prefix?: string }) => ({ Contents: [{ Key: `${input.Prefix}part-0.json` }], KeyCount: 1 }));
  s3.on(PutObjectCommand).resolves({ ETag: '"lock-etag"' });
  // S3's conditional delete: the lock under its own ETag goes; any other ETag is refused (404 where there is no object).
  s3.on(DeleteObjectCommand).callsFake((input: { IfMatch?: string }) => {
    if (input.IfMatch === '"lock-etag"') return {};
    throw Object.assign(new Error('The specified key does not exist.'), { name: 'NoSuchKey', $metadata: { httpStatusCode: 404 } });
  });
  return { athena, glue, s3, restore: () => [athena, glue, s3].forEach((m) => m.restore()) };
}

describe('stedi doctor --engine athena', () => {
  it('runs every pre-flight check without starting a query, one line each, and says the set-up is ready', async () => {
    const aws = mockAccount();
    try {
      const run = await runCli('doctor', '--engine', 'athena', '--lake', LAKE, '--workgroup', 'analytics', '--region', 'eu-west-1');
      expect(run.exitCode).toBe(0);
      const lines = run.stdout.trim().split('\n');
      expect(lines.slice(0, 6).map((l) => l.slice(0, 4))).toEqual(Array(6).fill('ok  '));
      expect(lines[0]).toMatch(/^ok {4}workgroup {14}Athena workgroup "analytics" is usable; query results go to s3:\/\/results-bucket\/athena\/$/);
      expect(lines.at(-1)).toBe('Ready to build on Athena.');
      expect(aws.athena.commandCalls(StartQueryExecutionCommand)).toHaveLength(0);
      expect(aws.s3.commandCalls(PutObjectCommand)[0].args[0].input).toMatchObject({ Bucket: 'example-bucket', Key: 'stedi/_stedi/build.lock', IfNoneMatch: '*' });
      expect(aws.s3.commandCalls(DeleteObjectCommand).filter((c) => c.args[0].input.Key === 'stedi/_stedi/build.lock')).toHaveLength(1);
    } finally {
      aws.restore();
    }
  });

  it('exits 1 and names each failing resource and its fix, also as JSON', async () => {
    const aws = mockAccount([{ Name: 'customer_trusted', TableType: 'EXTERNAL_TABLE' }]);
    try {
      const run = await runCli('doctor', '--engine', 'athena', '--lake', LAKE, '--workgroup', 'analytics', '--json');
      expect(run.exitCode).toBe(1);
      const report = JSON.parse(run.stdout) as { ok: boolean; checks: { name: string; ok: boolean; message: string }[] };
      expect(report.ok).toBe(false);
      expect(report.checks.filter((c) => !c.ok)).toEqual([
        {
          name: 'glue tables',
          ok: false,
          message:
            'Glue database "stedi" already holds a table "customer_trusted" where the build publishes views of the same names: drop it (DROP TABLE leaves the S3 data) or use another database (--glue-database / STEDI_GLUE_DATABASE)',
        },
      ]);
    } finally {
      aws.restore();
    }
  });

  it('checks the landing prefix the live version was built from when --landing is not given, and the one given otherwise', async () => {
    const aws = mockAccount();
    const manifest = manifestOfVersions('20260101t000000000z_aaaa');
    manifest.versions[0].landing = 's3://landing-bucket/in';
    const text = JSON.stringify(manifest);
    aws.s3.on(GetObjectCommand).resolves({ ETag: '"m"', Body: { transformToString: async () => text } } as never);
    const listed = (): string[] => aws.s3.commandCalls(ListObjectsV2Command).map((c) => `s3://${c.args[0].input.Bucket}/${c.args[0].input.Prefix}`).filter((p) => p.endsWith('/landing/'));
    try {
      expect((await runCli('doctor', '--engine', 'athena', '--lake', LAKE, '--workgroup', 'analytics', '--region', 'eu-west-1')).exitCode).toBe(0);
      expect(listed()).toEqual(['s3://landing-bucket/in/customer/landing/', 's3://landing-bucket/in/accelerometer/landing/', 's3://landing-bucket/in/step_trainer/landing/']);
      aws.s3.resetHistory();
      expect((await runCli('doctor', '--engine', 'athena', '--lake', LAKE, '--workgroup', 'analytics', '--region', 'eu-west-1', '--landing', `${LAKE}/`)).exitCode).toBe(0);
      expect(listed()).toEqual([`${LAKE}/customer/landing/`, `${LAKE}/accelerometer/landing/`, `${LAKE}/step_trainer/landing/`]);
    } finally {
      aws.restore();
    }
  });

  it('refuses a setting Athena cannot use before any AWS call, naming its flag and variable: a usage error (exit 2)', async () => {
    const aws = mockAccount();
    try {
      const cases: [string[], RegExp][] = [
        [['--glue-database', 'Stedi-Prod'], /^stedi: the Glue database \(--glue-database \/ STEDI_GLUE_DATABASE\) must be lower-case letters, digits and underscores, starting with a letter; received "Stedi-Prod"\n$/],
        [['--workgroup', 'my workgroup'], /^stedi: the Athena workgroup \(--workgroup \/ STEDI_ATHENA_WORKGROUP\) must be 1 to 128 letters, digits, '\.', '_' or '-'; received "my workgroup"\n$/],
        [['--region', 'eu west 1'], /^stedi: the AWS region \(--region \/ AWS_REGION\) must be a region name such as eu-west-1; received "eu west 1"\n$/],
        [['--output-location', 's3://Results_Bucket/athena/'], /^stedi: the Athena output location \(--output-location \/ STEDI_ATHENA_OUTPUT\) names an invalid S3 bucket "Results_Bucket": a bucket name is 3 to 63 lower-case letters, digits, '\.' or '-', starting and ending with a letter or digit\n$/],
        [['--landing', 's3://example-bucket/my landing'], /^stedi: the landing location \(--landing \/ STEDI_LANDING\) "s3:\/\/example-bucket\/my landing" may hold only/],
        [['--workgroup', ''], /^stedi: the Athena workgroup \(--workgroup \/ STEDI_ATHENA_WORKGROUP\) must be 1 to 128 letters, digits, '\.', '_' or '-'; received ""\n$/],
      ];
      for (const [flags, message] of cases) {
        const run = await runCli('doctor', '--engine', 'athena', '--lake', LAKE, '--region', 'eu-west-1', ...flags);
        // A flag's value the command cannot take, as README's rule has it; they exited 1, as a run that failed.
        expect({ flags, exitCode: run.exitCode, stderr: run.stderr }).toEqual({ flags, exitCode: 2, stderr: expect.stringMatching(message) });
      }
      expect([aws.athena.calls().length, aws.glue.calls().length, aws.s3.calls().length]).toEqual([0, 0, 0]);
    } finally {
      aws.restore();
    }
  });

  it('reads an empty Athena variable as unset, and refuses an empty AWS_REGION the AWS SDK would fail on', async () => {
    const aws = mockAccount();
    const saved = { ...process.env };
    try {
      Object.assign(process.env, { STEDI_ENGINE: 'athena', STEDI_LAKE: LAKE, STEDI_ATHENA_WORKGROUP: '', STEDI_ATHENA_OUTPUT: '', STEDI_GLUE_DATABASE: '', AWS_REGION: '', AWS_DEFAULT_REGION: 'eu-west-1' });
      aws.athena.on(GetWorkGroupCommand).resolves({ WorkGroup: { Name: 'primary', State: 'ENABLED', Configuration: { ResultConfiguration: { OutputLocation: 's3://results-bucket/athena/' } } } });
      const defaults = await runCli('doctor');
      expect(defaults.exitCode).toBe(0);
      expect(aws.athena.commandCalls(GetWorkGroupCommand)[0].args[0].input).toEqual({ WorkGroup: 'primary' });
      expect(aws.glue.commandCalls(GetTablesCommand)[0].args[0].input).toMatchObject({ DatabaseName: 'stedi' });
      expect(await aws.athena.commandCalls(GetWorkGroupCommand)[0].thisValue.config.region()).toBe('eu-west-1');

      delete process.env.AWS_DEFAULT_REGION;
      const empty = await runCli('doctor');
      expect(empty.exitCode).toBe(1);
      expect(empty.stderr).toBe('stedi: the AWS region (--region / AWS_REGION) must be a region name such as eu-west-1; received ""\n');
    } finally {
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
      Object.assign(process.env, saved);
      aws.restore();
    }
  });

  it.each([[[]], [['--engine', 'duckdb']]])('explains, in a real process, that it checks an Athena set-up only: on the default engine %j a usage error, exit 2', async (engine) => {
    const doctor = spawnBin(['doctor', '--lake', '/tmp/some-lake', ...engine]);
    expect(await doctor.exited).toBe(2);
    expect(doctor.stderr()).toBe('stedi: stedi doctor checks an Athena set-up only (the embedded duckdb engine needs none); use it with --engine athena (or STEDI_ENGINE=athena)\n');
  });

  it('says, in a real process, what S3 takes in a bucket name when STEDI_LAKE names one it refuses: exit 1, one line', async () => {
    const doctor = spawnBin(['doctor'], { STEDI_ENGINE: 'athena', STEDI_LAKE: 's3://b/stedi', AWS_REGION: 'eu-west-1' });
    expect(await doctor.exited).toBe(1);
    expect(doctor.stderr()).toBe(
      `stedi: the lake (--lake / STEDI_LAKE) names an invalid S3 bucket "b": a bucket name is 3 to 63 lower-case letters, digits, '.' or '-', starting and ending with a letter or digit\n`,
    );
  });

  it('prints nothing but its checks on stderr when AWS is out of reach (no SDK notice about Node versions)', async () => {
    // bin/stedi.js, as users run it, against a local port nothing listens on: every check fails, unreachable.
    const doctor = spawnBin(['doctor', '--engine', 'athena', '--lake', LAKE, '--region', 'eu-west-1'], { AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'example', AWS_MAX_ATTEMPTS: '1', AWS_ENDPOINT_URL: 'http://127.0.0.1:9' });
    expect(await doctor.exited).toBe(1);
    expect(doctor.stderr()).not.toMatch(/AWS SDK for JavaScript|NodeVersionSupportWarning/);
    expect(doctor.stdout()).toMatch(/^FAIL {2}workgroup .*AWS could not be reached/m);
  });
});
