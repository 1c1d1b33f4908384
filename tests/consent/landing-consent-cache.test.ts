import { execFileSync } from 'node:child_process';
import { appendFileSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import type { Engine } from '../../etl/engine/engine';
import { openEngine } from '../../etl/engine/open-engine';
import { LandingConsentCache } from '../../src/consent/landing-consent-cache';
import { customerRecord, emailOf, writeLanding, writeSmallLanding } from '../helpers/landing-fixture';

/** The engine on `landing`, counting its reads of the customer landing. */
async function countingEngine(landing: string): Promise<{ engine: Engine; reads: () => number; close: () => Promise<void> }> {
  const opened = await openEngine({ kind: 'duckdb', lake: landing, landing, lazy: true });
  let reads = 0;
  const engine = Object.assign(Object.create(opened) as Engine, {
    readLanding: (...args: Parameters<NonNullable<Engine['readLanding']>>) => {
      reads += 1;
      return opened.readLanding!(...args);
    },
  });
  return { engine, reads: () => reads, close: () => opened.close() };
}

describe('the consent registry reading the customer landing', () => {
  let landing: string;
  let lake: Awaited<ReturnType<typeof countingEngine>>;
  beforeEach(async () => {
    landing = writeSmallLanding();
    lake = await countingEngine(landing);
  });
  afterEach(() => lake.close());
  const customerFile = (): string => `${landing}/customer/landing/customer-1.json`;

  it('does not read files again that are the very ones it read, with the same decisions', async () => {
    const cache = new LandingConsentCache(lake.engine, undefined, 0);
    const first = await cache.read('');
    const second = await cache.read('');
    expect(lake.reads()).toBe(1);
    expect(cache.reused).toBe(1);
    expect(second).toBe(first);
    expect([...second.withheld]).toEqual([emailOf('carol')]);
  });

  it('reads files written just before its last read again, however unchanged they look', async () => {
    // The fixture was written a moment ago: a same-size write within the clock's granularity could hide.
    const cache = new LandingConsentCache(lake.engine);
    await cache.read('');
    await cache.read('');
    expect(lake.reads()).toBe(2);
  });

  it('sees a revocation appended to a file it has read', async () => {
    const cache = new LandingConsentCache(lake.engine, undefined, 0);
    await cache.read('');
    appendFileSync(customerFile(), JSON.stringify(customerRecord({ name: 'alice', serial: 'serial-alice', consentAt: null, updatedAt: 1_656_000_000_000 })) + '\n');
    const after = await cache.read('');
    expect(lake.reads()).toBe(2);
    expect(after.withheld.has(emailOf('alice'))).toBe(true);
  });

  it('sees a revocation written over a file in place at the same size, its modification time put back', async () => {
    const cache = new LandingConsentCache(lake.engine, undefined, 0);
    await cache.read('');
    const before = statSync(customerFile(), { bigint: true });
    // touch -r copies the times to the nanosecond (Node's utimes cannot): only the change time tells.
    const times = `${landing}/customer-times`;
    writeFileSync(times, '');
    execFileSync('touch', ['-r', customerFile(), times]);
    const text = readFileSync(customerFile(), 'utf8');
    // alice's consent date (13 digits) becomes null padded to the same length: same size, other decision.
    const aliceLine = text.split('\n').findIndex((line) => line.includes(emailOf('alice')));
    const lines = text.split('\n');
    lines[aliceLine] = lines[aliceLine]!.replace('"shareWithResearchAsOfDate":1655000000000', '"shareWithResearchAsOfDate":null         ');
    writeFileSync(customerFile(), lines.join('\n'));
    execFileSync('touch', ['-r', times, customerFile()]);
    const now = statSync(customerFile(), { bigint: true });
    expect([now.size, now.mtimeNs, now.ino]).toEqual([before.size, before.mtimeNs, before.ino]);
    const after = await cache.read('');
    expect(lake.reads()).toBe(2);
    expect(after.withheld.has(emailOf('alice'))).toBe(true);
  });

  it('sees a revocation in a new landing file', async () => {
    const cache = new LandingConsentCache(lake.engine, undefined, 0);
    await cache.read('');
    writeLanding(landing, 'customer', [customerRecord({ name: 'bob', serial: 'serial-bob', consentAt: null, updatedAt: 1_656_000_000_000 })], 'customer-2.json');
    expect((await cache.read('')).withheld.has(emailOf('bob'))).toBe(true);
    expect(lake.reads()).toBe(2);
  });

  it('reads every time on an engine that cannot tell when landing changed', async () => {
    const blind = Object.assign(Object.create(lake.engine) as Engine, { landingIdentity: undefined });
    const cache = new LandingConsentCache(blind, undefined, 0);
    await cache.read('');
    await cache.read('');
    expect(lake.reads()).toBe(2);
  });
});
