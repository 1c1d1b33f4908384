import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { customerRecord, makeTempDir, writeLanding, writeSmallLanding } from '../helpers/landing-fixture';
import { type ServedLake, serveLake, snapshotTree, untilReady } from '../helpers/served-lake';
import { runBin } from '../helpers/spawn-cli';
import { REFERENCE_COUNTS, STEDI_SAMPLE_DIR, describeWithStediSample } from '../helpers/stedi-sample';

/**
 * A lake is a folder that can be moved, copied or mounted read-only and served
 * from its new place with no flag but --lake: built through bin/stedi.js,
 * moved with rename, served, and read over HTTP.
 */

interface LandingCustomer {
  email: string;
  serialNumber: string;
  shareWithResearchAsOfDate: number | null;
}

const customers = (): LandingCustomer[] => {
  const dir = join(STEDI_SAMPLE_DIR, 'customer', 'landing');
  return readdirSync(dir).flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as LandingCustomer));
};

const COUNTS = '{ customers { totalCount } accelerometerReadings { totalCount } stepTrainerReadings { totalCount } machineLearningSamples { totalCount } }';
const expected = REFERENCE_COUNTS.any;

async function expectReferenceCounts(served: ServedLake): Promise<void> {
  const { data, errors } = await served.graphql(COUNTS);
  expect(errors).toBeUndefined();
  expect(data).toEqual({
    customers: { totalCount: expected.customer_curated },
    accelerometerReadings: { totalCount: expected.accelerometer_trusted },
    stepTrainerReadings: { totalCount: expected.step_trainer_trusted },
    machineLearningSamples: { totalCount: expected.machine_learning_curated },
  });
}

/** A refusing customer is absent and a consenting one present (so the check can fail). */
async function expectConsentHonoured(served: ServedLake): Promise<void> {
  const all = customers();
  const refusing = all.find((c) => c.shareWithResearchAsOfDate == null && !all.some((o) => o.email === c.email && o.shareWithResearchAsOfDate != null))!;
  const consenting = all.find((c) => c.shareWithResearchAsOfDate != null)!;
  const ask = (serial: string): string => `{ customer(serialNumber: ${JSON.stringify(serial)}) { serialNumber } }`;
  expect((await served.graphql(ask(refusing.serialNumber))).data.customer).toBeNull();
  expect((await served.graphql(ask(consenting.serialNumber))).data.customer).toEqual({ serialNumber: consenting.serialNumber });
}

describeWithStediSample('a lake moved to another folder', () => {
  jest.setTimeout(120_000);

  it('serves the reference counts from its new place, reading the landing folder it carries along', async () => {
    const lake = join(makeTempDir('stedi-move-'), 'lake');
    cpSync(STEDI_SAMPLE_DIR, lake, { recursive: true });
    const built = await runBin(['build', '--lake', lake, '--json']);
    expect(built.stderr).toBe('');
    expect(built.code).toBe(0);

    const moved = join(makeTempDir('stedi-moved-'), 'elsewhere');
    renameSync(lake, moved);
    expect(existsSync(lake)).toBe(false);
    const manifest = readFileSync(join(moved, '_stedi', 'manifest.json'), 'utf8');
    expect(manifest).not.toContain(lake);

    const status = await runBin(['status', '--lake', moved, '--json']);
    expect(JSON.parse(status.stdout)).toMatchObject({ landing: moved, damaged: null });

    const served = await serveLake(['--lake', moved], { STEDI_CONSENT_REFRESH_MS: '200' });
    try {
      await untilReady(served);
      await expectReferenceCounts(served);
      await expectConsentHonoured(served);
      // The registry reads the moved landing folder: a revocation written there counts.
      const target = customers().find((c) => c.shareWithResearchAsOfDate != null)!;
      const revocation = { ...target, shareWithResearchAsOfDate: null, lastUpdateDate: 1_900_000_000_000 };
      writeFileSync(join(moved, 'customer', 'landing', 'customer-revocation.json'), `${JSON.stringify(revocation)}\n`);
      let total = expected.customer_curated;
      for (let i = 0; i < 50 && total === expected.customer_curated; i += 1) {
        await new Promise((r) => setTimeout(r, 100));
        total = (await served.graphql('{ customers { totalCount } }')).data.customers.totalCount;
      }
      expect(total).toBe(expected.customer_curated - 1);
    } finally {
      await served.stop();
    }
  });

  it('serves read-only after `stedi build --landing X`, from a new place, with only --lake, and writes nothing', async () => {
    const lake = join(makeTempDir('stedi-ro-'), 'lake');
    expect((await runBin(['build', '--landing', STEDI_SAMPLE_DIR, '--lake', lake, '--json'])).code).toBe(0);
    const moved = join(makeTempDir('stedi-ro-moved-'), 'mounted');
    renameSync(lake, moved);
    // Read-only for everyone; when the tests run as root (who may write anyway), serve as nobody.
    chmodSync(join(moved, '..'), 0o755);
    const asRoot = process.getuid?.() === 0;
    execFileSync('chmod', ['-R', 'a+rX,a-w', moved]);
    const before = snapshotTree(moved);
    const served = await serveLake(['--lake', moved], {}, asRoot ? { uid: 65534, gid: 65534 } : {});
    try {
      await untilReady(served);
      await expectReferenceCounts(served);
      await expectConsentHonoured(served);
      expect((await served.readyz()).status).toBe(200);
    } finally {
      await served.stop();
      execFileSync('chmod', ['-R', 'u+w', moved]);
    }
    expect(snapshotTree(moved)).toEqual(before);
  });
});

describe('a landing folder given relative to the working directory', () => {
  jest.setTimeout(120_000);

  it('is recorded as the folder it names, so status, serving and the consent registry find it from any folder', async () => {
    const project = makeTempDir('stedi-cwd-');
    writeSmallLanding(join(project, 'data'));
    const lake = join(makeTempDir('stedi-cwd-lake-'), 'lake');
    const built = await runBin(['build', '--lake', lake, '--landing', 'data', '--json'], {}, { cwd: project });
    expect(built.stderr).toBe('');
    expect(built.code).toBe(0);

    const status = await runBin(['status', '--lake', lake, '--json']);
    expect(JSON.parse(status.stdout)).toMatchObject({ landing: join(project, 'data'), damaged: null });

    const served = await serveLake(['--lake', lake], { STEDI_CONSENT_REFRESH_MS: '200' });
    try {
      await untilReady(served);
      const alice = '{ customer(serialNumber: "serial-alice") { serialNumber } }';
      expect(await served.graphql(alice)).toEqual({ data: { customer: { serialNumber: 'serial-alice' } } });
      // The registry reads that folder: a revocation written there hides alice.
      writeLanding(join(project, 'data'), 'customer', [customerRecord({ name: 'alice', serial: 'serial-alice', consentAt: null, updatedAt: 1_900_000_000_000 })], 'customer-2.json');
      let answer = await served.graphql(alice);
      for (let i = 0; i < 50 && answer.data?.customer; i += 1) {
        await new Promise((r) => setTimeout(r, 100));
        answer = await served.graphql(alice);
      }
      expect(answer).toEqual({ data: { customer: null } });
    } finally {
      await served.stop();
    }
  });
});
