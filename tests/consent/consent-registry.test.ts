import { ConsentRegistry } from '../../src/consent/consent-registry';
import { createLogger } from '../../src/logger';
import { loggedLines } from '../helpers/log-lines';
import { buildLake } from '../helpers/etl-lake';
import { ANALYST, runGraphql } from '../helpers/run-graphql';
import { buildTestLake, type TestLake } from '../helpers/test-lake';
import { customerRecord, emailOf, writeLanding, writeSmallLanding } from '../helpers/landing-fixture';

describe('consent registry', () => {
  let lake: TestLake;
  beforeEach(async () => {
    lake = await buildTestLake({ landing: writeSmallLanding() });
  });
  afterEach(() => lake.close());

  it('hides the customers whose freshest landing record withholds consent', async () => {
    const snapshot = await lake.services.consent.snapshot();
    expect([...snapshot.hiddenSerials]).toEqual(['serial-carol']);
    expect([...snapshot.hiddenEmails]).toEqual([emailOf('carol')]);
    // carol was never in the built version, so its SQL filter needs no exclusions
    const live = (await lake.engine.manifest())!.versions[0].version;
    expect(snapshot.exclusionsFor(live)).toEqual([]);
  });

  it('hides a customer who revokes consent in a newer landing record, and moves the generation', async () => {
    const before = await lake.services.consent.snapshot();
    writeLanding(lake.landing, 'customer', [customerRecord({ name: 'alice', serial: 'serial-alice', consentAt: null, updatedAt: 1_656_000_000_000 })], 'customer-2.json');
    const after = await lake.services.consent.refresh();
    expect(after.generation).not.toBe(before.generation);
    expect(after.hiddenSerials.has('serial-alice')).toBe(true);
    expect(after.hiddenEmails.has(emailOf('alice'))).toBe(true);
    const live = (await lake.engine.manifest())!.versions[0].version;
    expect(after.exclusionsFor(live)).toEqual(['serial-alice']);
    expect(after.exclusionsFor('some-version-not-known')).toEqual(['serial-alice', 'serial-carol']);
  });

  it('lets a revocation win over a grant with the same lastUpdateDate', async () => {
    writeLanding(lake.landing, 'customer', [customerRecord({ name: 'bob', serial: 'serial-bob', consentAt: null })], 'customer-2.json');
    expect((await lake.services.consent.refresh()).hiddenSerials.has('serial-bob')).toBe(true);
  });

  it('keeps a customer visible when an older record without consent is followed by a newer grant', async () => {
    writeLanding(lake.landing, 'customer', [customerRecord({ name: 'bob', serial: 'serial-bob', consentAt: null, updatedAt: 1_600_000_000_000 })], 'customer-2.json');
    expect((await lake.services.consent.refresh()).hiddenSerials.has('serial-bob')).toBe(false);
  });

  it('hides a customer the lake holds who vanished from the landing zone', async () => {
    writeLanding(lake.landing, 'customer', [customerRecord({ name: 'alice', serial: 'serial-alice' })]);
    const snapshot = await lake.services.consent.refresh();
    expect(snapshot.hiddenSerials.has('serial-bob')).toBe(true);
    expect(snapshot.hiddenEmails.has(emailOf('bob'))).toBe(true);
  });

  it('warns, in counts only, when customers the live version holds vanish from the landing, and not for a revocation', async () => {
    const { logger, lines } = loggedLines('warn');
    const registry = new ConsentRegistry(lake.engine, logger, 60_000, { settledMs: -60_000 });
    await registry.refresh();
    writeLanding(lake.landing, 'customer', [customerRecord({ name: 'alice', serial: 'serial-alice', consentAt: null, updatedAt: 1_656_000_000_000 })], 'customer-2.json');
    await registry.refresh();
    expect(lines.filter((line) => line.includes('customersWithoutRecord'))).toEqual([]);
    // The customer file cut short: bob's record is gone (alice's revocation stays in customer-2.json).
    writeLanding(lake.landing, 'customer', [customerRecord({ name: 'alice', serial: 'serial-alice' })]);
    await registry.refresh();
    await registry.refresh();
    const warned = lines.filter((line) => line.includes('customersWithoutRecord')).map((line) => JSON.parse(line));
    expect(warned).toHaveLength(1);
    expect(warned[0]).toMatchObject({ customersWithoutRecord: 1, msg: expect.stringContaining('no record in the customer landing') });
    expect(lines.join('')).not.toContain(emailOf('bob'));
  });

  it("answers on a version published since its last refresh with that version's own exclusions, not every hidden serial", async () => {
    // A build run by hand while the server runs: no refresh has seen the new version yet.
    await buildLake(lake.landing, lake.lake, { consentPolicy: lake.config.consentPolicy, keepVersions: lake.config.keepVersions });
    const live = (await lake.engine.manifest())!.versions[0].version;
    expect((await lake.services.consent.snapshot()).covers(live)).toBe(false);
    const { data } = await runGraphql(lake.services, ANALYST, '{ lake { liveVersion hiddenCustomers withdrawnSinceBuild } }');
    // carol is hidden, but the new version never held her: nothing to exclude from its SQL.
    expect(data!.lake).toEqual({ liveVersion: live, hiddenCustomers: 1, withdrawnSinceBuild: 0 });
  });

  it('keeps the generation when nothing changed', async () => {
    const before = await lake.services.consent.snapshot();
    expect((await lake.services.consent.refresh()).generation).toBe(before.generation);
  });

  it('keeps the very same hidden sets when neither the landing nor the versions changed, and rebuilds them on a revocation', async () => {
    // Landing files count as settled at once here, so an unchanged landing is not read again.
    const registry = new ConsentRegistry(lake.engine, createLogger('silent', false), 60_000, { settledMs: -60_000 });
    const first = await registry.refresh();
    const again = await registry.refresh();
    expect(again.hiddenSerials).toBe(first.hiddenSerials);
    expect(again.hiddenEmails).toBe(first.hiddenEmails);
    expect(again.generation).toBe(first.generation);
    expect(again.refreshedAt.getTime()).toBeGreaterThanOrEqual(first.refreshedAt.getTime());

    writeLanding(lake.landing, 'customer', [customerRecord({ name: 'alice', serial: 'serial-alice', consentAt: null, updatedAt: 1_656_000_000_000 })], 'customer-2.json');
    const revoked = await registry.refresh();
    expect(revoked.hiddenSerials).not.toBe(first.hiddenSerials);
    expect(revoked.hiddenSerials.has('serial-alice')).toBe(true);
    expect(revoked.generation).not.toBe(first.generation);
    expect(registry.pendingErasure().since.has(emailOf('alice'))).toBe(true);
  });
  it('logs a background refresh that fails on the landing folder by its message alone, and any other failure with its stack', async () => {
    const { logger, lines } = loggedLines('warn');
    const failures = [Object.assign(new Error(`landing folder ${lake.landing}/customer/landing does not exist`), { name: 'LandingFolderError' }), new TypeError('a bug of ours')];
    const engine = Object.create(lake.engine) as typeof lake.engine;
    // By call, not by lines logged so far: under load a second refresh may start before the first one's line is written.
    let calls = 0;
    engine.readLanding = () => Promise.reject(failures[Math.min(calls++, 1)]);
    const registry = new ConsentRegistry(engine, logger, 20, { settledMs: -60_000 });
    registry.start();
    try {
      for (let waited = 0; lines.length < 2 && waited < 10_000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
    } finally {
      registry.stop();
    }
    const [folder, other] = lines.slice(0, 2).map((line) => JSON.parse(line) as { level: number; reason?: string; err?: { stack?: string } });
    expect(folder).toMatchObject({ level: 50, reason: expect.stringContaining('does not exist') });
    expect(folder.err).toBeUndefined();
    expect(other).toMatchObject({ level: 50, err: { stack: expect.stringContaining('a bug of ours') } });
  });
});
