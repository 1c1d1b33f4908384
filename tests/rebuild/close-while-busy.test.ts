import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { buildLake, manifestOf } from '../helpers/etl-lake';
import { customerRecord, writeLanding } from '../helpers/landing-fixture';
import { loggedLines } from '../helpers/log-lines';
import { nameOf, serialOf, writeManyCustomersLanding } from '../helpers/many-customers-landing';
import { buildTestLake, type TestLake } from '../helpers/test-lake';
import { clientError } from '../../src/graphql/error-mapping';

/** A promise and the function that settles it, to hold one step of the server's work until the test lets it go. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

const revoke = (landing: string, i: number): void => {
  writeLanding(landing, 'customer', [customerRecord({ name: nameOf(i), serial: serialOf(i), consentAt: null, updatedAt: 1_700_000_000_000 })], `customer-revoke-${i}.json`);
};

/** Turns of the event loop enough for work left running to reach its next step (a build's start, a timer of 0). */
const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 200));

/**
 * Closing the served lake (a server's shutdown, SIGTERM) while background work runs: a rebuild it started is awaited,
 * one about to start never starts, and nothing runs on after close (once, a rebuild started after a test suite's close
 * ran in the next suite of the jest worker, and failed its build there).
 */
describe('closing the served lake while background work runs', () => {
  let lake: TestLake | undefined;
  afterEach(() => lake?.close());

  it('starts no erasure rebuild once closed, though its start was under way: the live version stays and the lake builds again', async () => {
    const { landing } = writeManyCustomersLanding(6, 2);
    const looking = gate();
    const held = gate();
    const log = loggedLines('info');
    lake = await buildTestLake({
      landing,
      logger: log.logger,
      // A third of 3 ms: the erasure rebuild is due at once after the refresh that reads the revocation.
      config: { erasureMs: 3 },
      wrapEngine: (engine) => {
        const holder = engine.buildLockHolder!.bind(engine);
        // The erasure's look at the lake's lock (is a build by hand running?) is held: its start is under way.
        engine.buildLockHolder = async () => {
          looking.open();
          await held.opened;
          return holder();
        };
        return engine;
      },
    });
    const before = (await manifestOf(lake.lake))!.versions.map((v) => v.version);
    const start = jest.spyOn(lake.services.rebuilds, 'start');
    revoke(landing, 1);
    await lake.services.consent.refresh();
    await looking.opened;

    const closing = lake.close();
    held.open();
    await closing;
    await settle();

    expect(start).not.toHaveBeenCalled();
    expect(lake.services.rebuilds.list()).toEqual([]);
    expect((await manifestOf(lake.lake))!.versions.map((v) => v.version)).toEqual(before);
    expect(existsSync(join(lake.lake, '_stedi', 'build.lock'))).toBe(false);
    expect(log.lines.filter((line) => /could not start the erasure rebuild|rebuild (started|failed)/.test(line))).toEqual([]);
    const next = await buildLake(landing, lake.lake);
    expect((await manifestOf(lake.lake))!.versions[0].version).toBe(next.version);
  });

  it('leaves the erasure stopped when a consent refresh under way at close ends after it: no timer is set again', async () => {
    const { landing } = writeManyCustomersLanding(6, 2);
    const reading = gate();
    const held = gate();
    let armed = false;
    lake = await buildTestLake({
      landing,
      // A third of the bound is a minute: the timer a late refresh set outlived the test (a later suite of the worker ran it).
      config: { erasureMs: 180_000 },
      wrapEngine: (engine) => {
        const manifest = engine.manifest.bind(engine);
        engine.manifest = async () => {
          if (armed) {
            armed = false;
            reading.open();
            await held.opened;
          }
          return manifest();
        };
        return engine;
      },
    });
    revoke(landing, 1);
    await lake.services.consent.refresh();
    const told = jest.spyOn(lake.services.erasure, 'onRefresh');
    armed = true;
    const refreshing = lake.services.consent.refresh().catch(() => undefined);
    await reading.opened;

    const closing = lake.close();
    held.open();
    await closing;
    await refreshing;
    await settle();

    expect(told).not.toHaveBeenCalled();
  });

  it('awaits a rebuild running at close, which publishes whole, and refuses one asked for after, saying why', async () => {
    const { landing } = writeManyCustomersLanding(6, 2);
    const midway = gate();
    lake = await buildTestLake({
      landing,
      wrapBuildRunner: (build) => (config, options, onProgress, onStaged, onAgain) =>
        build(
          config,
          options,
          (progress) => {
            midway.open();
            onProgress(progress);
          },
          onStaged,
          onAgain,
        ),
    });
    const job = await lake.services.rebuilds.start();
    await midway.opened;
    await lake.close();

    expect(job.state).toBe('SUCCEEDED');
    expect((await manifestOf(lake.lake))!.versions[0].version).toBe(job.version);
    expect(existsSync(join(lake.lake, '_stedi', 'build.lock'))).toBe(false);
    const refused = await lake.services.rebuilds.start().then(() => undefined, (error: unknown) => error);
    // Answered ENGINE_BUSY (a client, or a cluster worker asking its primary, which loads no GraphQL for it).
    expect(clientError(refused)).toEqual({ code: 'ENGINE_BUSY', message: 'the server is shutting down: no rebuild starts now; ask again once it has restarted' });
    await settle();
    expect(lake.services.rebuilds.list()).toEqual([job]);

    // The lake opens again, serving what the rebuild published.
    const path = lake.lake;
    lake = await buildTestLake({ landing, lake: path, build: false });
    expect((await lake.engine.manifest())!.versions[0].version).toBe(job.version);
  });
});
