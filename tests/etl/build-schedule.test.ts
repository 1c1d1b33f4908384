import { runSchedule, type ScheduledStep, tablesNamedBy } from '../../etl/build-schedule';

/** A promise resolved (or rejected) by hand. */
function deferred(): { promise: Promise<void>; resolve: () => void; reject: (e: Error) => void } {
  let resolve!: () => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<void>((ok, no) => ((resolve = ok), (reject = no)));
  return { promise, resolve, reject };
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

/** The customer and accelerometer landings, each loaded when its promise is settled by hand. */
function twoLandings() {
  const customer = deferred();
  const accelerometer = deferred();
  const landings = [
    { tables: ['customer_landing'], load: customer.promise },
    { tables: ['accelerometer_landing'], load: accelerometer.promise },
  ];
  return { customer, accelerometer, landings };
}

describe('the build schedule', () => {
  it('starts a step only once every table it needs is ready, at most `limit` at a time, zones before checks', async () => {
    const log: string[] = [];
    let running = 0;
    let most = 0;
    const step = (name: string, needs: string[], table?: string): ScheduledStep => ({
      table,
      needs,
      reads: needs,
      run: async () => {
        running += 1;
        most = Math.max(most, running);
        log.push(`start ${name}`);
        await tick();
        log.push(`end ${name}`);
        running -= 1;
      },
    });
    const { customer, accelerometer, landings } = twoLandings();
    const done = runSchedule({
      limit: 2,
      landings,
      steps: [step('ct', ['customer_landing'], 'customer_trusted'), step('at', ['accelerometer_landing', 'customer_trusted'], 'accelerometer_trusted'), step('cc', ['customer_trusted'], 'customer_curated'), step('check', ['customer_trusted'])],
      releasable: ['customer_landing', 'accelerometer_landing'],
      release: async (table) => void log.push(`release ${table}`),
    });
    customer.resolve();
    await tick();
    await tick();
    expect(log).toContain('start ct');
    expect(log).not.toContain('start at');
    accelerometer.resolve();
    await done;
    expect(most).toBe(2);
    expect(log.indexOf('start at')).toBeGreaterThan(log.indexOf('end ct'));
    // The zones that became runnable together start before the check.
    expect(log.indexOf('start cc')).toBeLessThan(log.indexOf('start check'));
    expect(log.indexOf('release customer_landing')).toBeGreaterThan(log.indexOf('end ct'));
    expect(log.indexOf('release accelerometer_landing')).toBeGreaterThan(log.indexOf('end at'));
  });

  it('runs at most `tableLimit` steps that make a table at once, and fills the rest of the limit with steps beside them', async () => {
    const log: string[] = [];
    const running = new Set<string>();
    let zonesAtOnce = 0;
    let checkBesideZone = false;
    const gates = new Map<string, ReturnType<typeof deferred>>();
    const step = (name: string, needs: string[], table?: string): ScheduledStep => ({
      table,
      needs,
      reads: needs,
      run: async () => {
        running.add(name);
        zonesAtOnce = Math.max(zonesAtOnce, [...running].filter((n) => n.startsWith('zone')).length);
        if (!table && [...running].some((n) => n.startsWith('zone'))) checkBesideZone = true;
        log.push(`start ${name}`);
        const gate = deferred();
        gates.set(name, gate);
        await gate.promise;
        running.delete(name);
        log.push(`end ${name}`);
      },
    });
    const done = runSchedule({
      limit: 2,
      tableLimit: 1,
      landings: [{ tables: ['x'], load: Promise.resolve() }],
      steps: [step('zone a', ['x'], 'a'), step('zone b', ['x'], 'b'), step('zone c', ['a'], 'c'), step('check a', ['a']), step('check x', ['x'])],
      releasable: [],
      release: async () => undefined,
    });
    const finish = async (name: string): Promise<void> => {
      for (let k = 0; k < 5 && !gates.has(name); k += 1) await tick();
      gates.get(name)!.resolve();
      await tick();
    };
    await finish('zone a');
    await finish('check x');
    await finish('zone b');
    await finish('check a');
    await finish('zone c');
    await done;
    expect(zonesAtOnce).toBe(1);
    expect(checkBesideZone).toBe(true);
    // With only one zone allowed, the check that needs no new table starts beside the first zone.
    expect(log.slice(0, 2)).toEqual(['start zone a', 'start check x']);
    expect(log.indexOf('start zone b')).toBeGreaterThan(log.indexOf('end zone a'));
  });

  it('releases a landing table only after the last step reading it, never one kept for later', async () => {
    const released: string[] = [];
    const finished: string[] = [];
    const step = (name: string, reads: string[]): ScheduledStep => ({ table: name, needs: reads, reads, run: async () => void finished.push(name) });
    await runSchedule({
      limit: 1,
      landings: [{ tables: ['a_landing', 'b_landing'], load: Promise.resolve() }],
      steps: [step('one', ['a_landing']), step('two', ['a_landing', 'b_landing'])],
      releasable: ['a_landing', 'b_landing'],
      keep: ['b_landing'],
      release: async (table) => void released.push(`${table} after ${finished.join(',')}`),
    });
    expect(released).toEqual(['a_landing after one,two']);
  });

  it('throws the first failure only once every running step has settled, and starts nothing after it', async () => {
    const slow = deferred();
    let slowSettled = false;
    let laterStarted = false;
    const done = runSchedule({
      limit: 2,
      landings: [{ tables: ['x'], load: Promise.resolve() }],
      steps: [
        { table: 'a', needs: ['x'], reads: [], run: () => slow.promise.then(() => void (slowSettled = true)) },
        { table: 'b', needs: ['x'], reads: [], run: async () => Promise.reject(new Error('b failed')) },
        { needs: ['b'], reads: [], run: async () => void (laterStarted = true) },
      ],
      releasable: [],
      release: async () => undefined,
    });
    let settled = false;
    done.catch(() => undefined).finally(() => (settled = true));
    await tick();
    await tick();
    expect(settled).toBe(false);
    slow.resolve();
    await expect(done).rejects.toThrow('b failed');
    expect(slowSettled).toBe(true);
    expect(laterStarted).toBe(false);
  });

  it('fails, rather than waiting forever, when a step needs a table nothing makes, and waits for a failing landing', async () => {
    await expect(runSchedule({ limit: 1, landings: [], steps: [{ needs: ['nowhere'], reads: [], run: async () => undefined }], releasable: [], release: async () => undefined })).rejects.toThrow(
      'a build step needs a table no step makes (nowhere)',
    );
    const failing = deferred();
    const done = runSchedule({ limit: 1, landings: [{ tables: ['x'], load: failing.promise }], steps: [{ needs: ['x'], reads: [], run: async () => undefined }], releasable: [], release: async () => undefined });
    failing.reject(new Error('landing unreadable'));
    await expect(done).rejects.toThrow('landing unreadable');
  });

  it('throws the failure of the first landing in list order, whichever failed first in time', async () => {
    const { customer, accelerometer, landings } = twoLandings();
    const done = runSchedule({
      limit: 2,
      landings,
      steps: [],
      releasable: [],
      release: async () => undefined,
    });
    accelerometer.reject(new Error('accelerometer/landing does not exist'));
    await tick();
    customer.reject(new Error('customer/landing does not exist'));
    await expect(done).rejects.toThrow('customer/landing does not exist');
  });

  it('names the catalogue tables a statement reads, whole names only', () => {
    expect(tablesNamedBy('SELECT * FROM customer_trusted JOIN consent_uncertain ON 1 = 1')).toEqual(['customer_trusted', 'consent_uncertain']);
    expect(tablesNamedBy('SELECT * FROM customer_trusted_v2, my_customer_landing')).toEqual([]);
  });
});
