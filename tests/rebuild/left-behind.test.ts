import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LakeLayout } from '../../etl/engine/duckdb/lake-layout';
import { buildLake } from '../helpers/etl-lake';
import { ADMIN_KEY } from '../helpers/http-app';
import { makeTempDir, writeSmallLanding } from '../helpers/landing-fixture';
import { type ServedLake, serveLake, untilReady } from '../helpers/served-lake';

/** A server's rebuild that publishes but cannot remove a version it expired: the admin who asked is told, as `stedi build` tells its user. */

const asRoot = process.getuid?.() === 0;
const JOB = 'state error warning version';

async function finished(served: ServedLake, id: string): Promise<{ state: string; error: string | null; warning: string | null; version: string | null }> {
  for (;;) {
    const res = await served.graphql(`{ rebuildJob(id: "${id}") { ${JOB} } }`, ADMIN_KEY);
    expect(res.errors).toBeUndefined();
    const job = res.data.rebuildJob;
    if (job.state === 'SUCCEEDED' || job.state === 'FAILED') return job;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('a server rebuild whose removal of an expired version is refused', () => {
  jest.setTimeout(90_000);
  let served: ServedLake | undefined;
  afterEach(async () => {
    await served?.stop();
    served = undefined;
  });

  it('succeeds with a warning naming the versions left on disk and the fix, the lake written <lake>; one that removes all has none', async () => {
    const landing = writeSmallLanding();
    const lake = makeTempDir('stedi-rebuild-left-behind-');
    const old = (await buildLake(landing, lake)).version;
    const refusing = new LakeLayout(lake).versionDir('customer_trusted', old);
    // Root may remove anything: the lake is nobody's and the server runs as nobody, but one folder stays root's.
    const as = asRoot ? { uid: 65534, gid: 65534 } : {};
    if (asRoot) execFileSync('chown', ['-R', '65534:65534', lake]);
    chmodSync(lake, 0o755);
    execFileSync('chmod', ['-R', 'a+rX', landing]);
    if (asRoot) execFileSync('chown', ['0:0', refusing]);
    else chmodSync(refusing, 0o555);
    served = await serveLake(['--lake', lake, '--landing', landing], { STEDI_WORKERS: '1', STEDI_KEEP_VERSIONS: '1' }, as);
    await untilReady(served);

    const id: string = (await served.graphql('mutation { rebuildZones { id } }', ADMIN_KEY)).data.rebuildZones.id;
    const job = await finished(served, id);
    expect(job).toMatchObject({ state: 'SUCCEEDED', error: null });
    expect(job.warning).toBe(
      `expired versions ${old} could not all be removed and stay on disk (they may hold customers who withdrew consent) until a build removes them: ` +
        `cannot write <lake>/customer/trusted/v=${old}: ${asRoot ? 'it belongs to uid 0 and stedi runs as uid 65534; give it to this user (chown -R 65534 <lake>; for the Docker image, uid 1000)' : 'permission denied; make the lake folder writable (chmod -R u+w <lake>)'} or use another --lake`,
    );
    expect(readdirSync(new LakeLayout(lake).tableRoot('customer_trusted'))).toContain(`v=${old}`);

    // Once the folder may be removed, the next rebuild removes it and warns of nothing.
    if (asRoot) execFileSync('chown', ['-R', '65534:65534', refusing]);
    else chmodSync(refusing, 0o755);
    const next = await finished(served, (await served.graphql('mutation { rebuildZones { id } }', ADMIN_KEY)).data.rebuildZones.id);
    expect(next).toMatchObject({ state: 'SUCCEEDED', error: null, warning: null });
    expect(readdirSync(new LakeLayout(lake).tableRoot('customer_trusted'))).toEqual([`v=${next.version}`]);
  });

  it('logs once at info how much disk it freed removing what a build killed before finishing left on the lake', async () => {
    const landing = writeSmallLanding();
    const lake = makeTempDir('stedi-rebuild-dead-build-');
    await buildLake(landing, lake);
    // A build killed after removing its record, before its scratch copy of landing went.
    const scratch = join(new LakeLayout(lake).spillDir('20261204t100000000z_dead'), 'landing');
    mkdirSync(scratch, { recursive: true });
    writeFileSync(join(scratch, 'step_trainer.parquet'), Buffer.alloc(2_500_000, 1));
    served = await serveLake(['--lake', lake, '--landing', landing], { STEDI_WORKERS: '1', LOG_LEVEL: 'info' });
    await untilReady(served);
    const job = await finished(served, (await served.graphql('mutation { rebuildZones { id } }', ADMIN_KEY)).data.rebuildZones.id);
    expect(job).toMatchObject({ state: 'SUCCEEDED', error: null });
    const said = served.process.stdout().split('\n').filter((l) => l.includes('left on the lake')).map((l) => JSON.parse(l) as { level: number; builds: number; bytes: number; msg: string });
    expect(said).toEqual([expect.objectContaining({ level: 30, builds: 1, msg: 'removed what an earlier build left on the lake (stopped before finishing, or versions expired but not removed): 2.5 MB freed' })]);
    expect(said[0]!.bytes).toBeGreaterThanOrEqual(2_500_000);
  });
});
