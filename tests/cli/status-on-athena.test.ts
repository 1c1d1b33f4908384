import { GetObjectCommand } from '@aws-sdk/client-s3';
import { AthenaEngine } from '../../etl/engine/athena/athena-engine';
import type { AthenaEngineOptions } from '../../etl/engine/athena/athena-options';
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
