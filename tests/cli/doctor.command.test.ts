import { AthenaClient, GetWorkGroupCommand, StartQueryExecutionCommand } from '@aws-sdk/client-athena';
import { GetTablesCommand, GlueClient } from '@aws-sdk/client-glue';
import { DeleteObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { runCli } from '../helpers/run-cli';
import { spawnBin, spawnCli } from '../helpers/spawn-cli';

const LAKE = 's3://example-bucket/stedi';

/** Every client the CLI creates answers from these mocks (aws-sdk-client-mock patches the class). */
function mockAccount(tables: { Name: string; TableType: string }[] = []) {
  const athena = mockClient(AthenaClient);
  const glue = mockClient(GlueClient);
  const s3 = mockClient(S3Client);
  athena.on(GetWorkGroupCommand).resolves({ WorkGroup: { Name: 'analytics', State: 'ENABLED', Configuration: { ResultConfiguration: { OutputLocation: 's3://results-bucket/athena/' } } } });
  glue.on(GetTablesCommand).resolves({ TableList: tables });
  s3.on(ListObjectsV2Command).resolves({ Contents: [{ Key: 'stedi/customer/landing/part-0.json' }], KeyCount: 1 });
  s3.on(PutObjectCommand).resolves({});
  s3.on(DeleteObjectCommand).resolves({});
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
      expect(aws.s3.commandCalls(DeleteObjectCommand)).toHaveLength(1);
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

  it('explains, in a real process, that it checks an Athena set-up', async () => {
    const doctor = spawnCli(['doctor', '--lake', '/tmp/some-lake'], {});
    expect(await doctor.exited).toBe(1);
    expect(doctor.stderr()).toBe('stedi: stedi doctor checks an Athena set-up; use it with --engine athena (or STEDI_ENGINE=athena)\n');
  });

  it('prints nothing but its checks on stderr when AWS is out of reach (no SDK notice about Node versions)', async () => {
    // bin/stedi.js, as users run it, against a local port nothing listens on: every check fails, unreachable.
    const doctor = spawnBin(['doctor', '--engine', 'athena', '--lake', LAKE, '--region', 'eu-west-1'], { AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'example', AWS_MAX_ATTEMPTS: '1', AWS_ENDPOINT_URL: 'http://127.0.0.1:9' });
    expect(await doctor.exited).toBe(1);
    expect(doctor.stderr()).not.toMatch(/AWS SDK for JavaScript|NodeVersionSupportWarning/);
    expect(doctor.stdout()).toMatch(/^FAIL {2}workgroup .*AWS could not be reached/m);
  });
});
