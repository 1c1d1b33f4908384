import { GetObjectCommand } from '@aws-sdk/client-s3';
import { AthenaEngine } from '../../etl/engine/athena/athena-engine';
import type { AthenaEngineOptions } from '../../etl/engine/athena/athena-options';
import { AthenaLayout } from '../../etl/engine/athena/s3-location';
import { type FakeAws, fakeAws } from '../helpers/fake-aws';
import { manifestOfVersions } from '../helpers/manifest-fixture';
import { runCli } from '../helpers/run-cli';

/**
 * `stedi status` on an Athena lake names the S3 lock's holder as the lock records it (an owner, not a pid), and says
 * whether it looks abandoned and what to do: no build takes an S3 lock over, so a dead build's lock refuses every build.
 */

const LAKE = 's3://example-bucket/stedi';
const LOCK = `${LAKE}/_stedi/build.lock`;
const LIVE = '20260101t000000000z_aaaa';

describe('stedi status on an Athena lake: the build lock', () => {
  let aws: FakeAws;
  beforeEach(() => {
    aws = fakeAws();
    // The CLI's own engine, over the fakes instead of AWS.
    jest.spyOn(AthenaEngine, 'open').mockImplementation(async (options: AthenaEngineOptions) => new AthenaEngine(options, aws.clients));
  });
  afterEach(() => jest.restoreAllMocks());

  const status = (...flags: string[]) => runCli('status', '--engine', 'athena', '--lake', LAKE, ...flags);
  /** A lake whose live version LIVE read the lake's own landing prefix. */
  const built = (): void => {
    const manifest = manifestOfVersions(LIVE);
    manifest.versions[0].landing = LAKE;
    aws.s3.put(`${LAKE}/_stedi/manifest.json`, JSON.stringify(manifest));
  };
  const lockBy = (owner: string, since: string): void => aws.s3.put(LOCK, JSON.stringify({ owner, since, token: 'theirs' }));

  it('says nothing of a lock when none is held', async () => {
    built();
    const run = await status();
    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(0);
    expect(run.stdout).not.toMatch(/lock/);
    expect(JSON.parse((await status('--json')).stdout).build).toBeNull();
  });

  it('names the build holding the lock and since when, and how to free it if that build died', async () => {
    built();
    lockBy('build 20261205t230000000z_beef', '2026-12-05T23:00:00.000Z');
    const run = await status();
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain(
      `The lake's build lock is held (build 20261205t230000000z_beef, since 2026-12-05T23:00:00.000Z): a build is running, or one died holding it; no other build can start while it is there; if its build died (killed, or its machine lost), delete it (aws s3 rm ${LOCK}) once no build is running.`,
    );
    expect(JSON.parse((await status('--json')).stdout).build).toMatchObject({ owner: 'build 20261205t230000000z_beef', since: '2026-12-05T23:00:00.000Z', running: true });
  });

  it('says the lock looks abandoned when it names the live version’s build, which published long ago, and to delete it', async () => {
    built();
    lockBy(`build ${LIVE}`, '2026-01-01T00:00:00.000Z');
    const run = await status();
    expect(run.stdout).toContain(`The lake's build lock looks abandoned (build ${LIVE}, since 2026-01-01T00:00:00.000Z): it names the build that published the live version ${LIVE} at 2026-01-01T00:00:01.000Z, over 15 minutes ago`);
    expect(run.stdout).toContain(`if no build is running, delete it (aws s3 rm ${LOCK})`);
    const json = JSON.parse((await status('--json')).stdout);
    expect(json.build).toMatchObject({ owner: `build ${LIVE}`, running: false });
    expect(json.build.pid).toBeUndefined();
  });

  it('says a build holds the lock of a lake not built yet, rather than only to build it', async () => {
    lockBy('build 20261205t230000000z_beef', '2026-12-05T23:00:00.000Z');
    const run = await status();
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain(`has not been built yet; a build holds the lake's lock (build 20261205t230000000z_beef, since 2026-12-05T23:00:00.000Z): wait for it; no other build can start`);
  });

  it('says a lake not built yet is built with --engine athena, the command it names being one that runs', async () => {
    // `stedi build --lake s3://…` alone runs the duckdb engine, which refuses an s3:// lake.
    const run = await status();
    expect({ exitCode: run.exitCode, stderr: run.stderr }).toEqual({ exitCode: 1, stderr: `stedi: the lake at ${LAKE} has not been built yet; run \`stedi build --engine athena --lake ${LAKE}\`\n` });
  });

  it('names the versions a build published that are on S3 when the manifest is gone, and how to restore it', async () => {
    // Before, Athena named none (unlistedVersions was DuckDB's only): status said to build, and the build refused.
    const layout = new AthenaLayout(LAKE);
    for (const version of [LIVE, '20251231t000000000z_bbbb']) aws.s3.put(`${layout.versionPrefix('customer_trusted', version)}part-0.parquet`, 'PAR1');
    // A killed build's data, its marker still there: the next build removes it, so it is not named.
    aws.s3.put(`${layout.versionPrefix('customer_trusted', '20260102t000000000z_cccc')}part-0.parquet`, 'PAR1');
    aws.s3.put(`${layout.buildMarkerPrefix('20260102t000000000z_cccc')}started`, '2026-01-02T00:00:00.000Z');
    const said = `the lake at ${LAKE} has no manifest, though versions 20251231t000000000z_bbbb, ${LIVE} are on S3: restore ${LAKE}/_stedi/manifest.json from a copy (with versioning on the bucket, its previous version), or delete those versions' v=<version>/ prefixes to start the lake over; until then a build refuses to run, as it would remove them`;
    const run = await status();
    expect({ exitCode: run.exitCode, stderr: run.stderr }).toEqual({ exitCode: 1, stderr: `stedi: ${said}\n` });
    expect(JSON.parse((await status('--json')).stdout)).toMatchObject({ state: 'not built', message: said, unlistedVersions: ['20251231t000000000z_bbbb', LIVE] });
  });

  it('names no unlisted version under a manifest: a build removes every version it does not keep', async () => {
    built();
    aws.s3.put(`${new AthenaLayout(LAKE).versionPrefix('customer_trusted', LIVE)}part-0.parquet`, 'PAR1');
    expect(JSON.parse((await status('--json')).stdout).unlistedVersions).toEqual([]);
  });

  it('shows a lock whose body is not one this code wrote as an unnamed holder', async () => {
    built();
    aws.s3.put(LOCK, 'not json');
    expect((await status()).stdout).toContain(`The lake's build lock is held (an unnamed holder, since an unknown time)`);
  });

  it('shows a lock edited by hand without its control characters, and cut short when long', async () => {
    built();
    const escapes = '\x1b[2J\x1b]0;owned\x07';
    lockBy(`${escapes}${'x'.repeat(5_000)}`, '\x1b[31mred');
    const { stdout } = await status();
    expect(stdout).not.toContain('\x1b');
    expect(stdout).toContain(`(\\x1b[2J\\x1b]0;owned\\x07${'x'.repeat(200 - escapes.length)}…, since \\x1b[31mred)`);
  });

  it('says S3 failed on its side and to retry when reading the lock answers HTTP 500', async () => {
    built();
    const fault = Object.assign(new Error('We encountered an internal error. Please try again.'), { name: 'InternalError', $metadata: { httpStatusCode: 500, requestId: 's3-request-lock' } });
    aws.s3.mock.on(GetObjectCommand, { Key: 'stedi/_stedi/build.lock' }).rejects(fault);
    const run = await status();
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toBe(
      `stedi: cannot read the lake's lock ${LOCK}: S3 answered InternalError, a failure on AWS's side (HTTP 500, request id s3-request-lock), not in the request, the lake or the set-up: retry in a few minutes\n`,
    );
  });
});
