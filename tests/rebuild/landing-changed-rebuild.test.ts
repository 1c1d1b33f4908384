import { appendFileSync, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { erasureStateOf } from '../../src/rebuild/erasure';
import type { RebuildJobs } from '../../src/rebuild/rebuild-jobs';
import { ADMIN_KEY, buildTestApp, type TestApp } from '../helpers/http-app';
import { customerRecord, writeSmallLanding } from '../helpers/landing-fixture';
import { loggedLines } from '../helpers/log-lines';

/**
 * A server's rebuild (in a child process, started through /graphql) while a writer is at work on a customer landing
 * file: what the operator's log and the admin's `rebuildJob` say as the build goes again, and when it gives up.
 */

/** A run of NUL bytes (sparse: no disk), one overlong line, so the build is still reading `file` when the writer appends. */
const padded = (file: string): void => {
  truncateSync(file, statSync(file).size + 4 * 1024 * 1024);
  appendFileSync(file, '\n');
};

const customerLine = (k: number): string => `${JSON.stringify(customerRecord({ name: `writer${k}`, serial: `serial-writer${k}` }))}\n`;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('a rebuild while a landing file is being written', () => {
  jest.setTimeout(90_000);
  let t: TestApp | undefined;
  afterEach(() => t?.close());

  /** A server whose rebuilds wait little for a changed file to settle, its log lines, and the customer file a writer appends to. */
  async function serverWithWriter(): Promise<{ t: TestApp; logs: string[]; jobs: RebuildJobs; startWriter: () => () => void }> {
    const { logger, lines: logs } = loggedLines();
    const landing = writeSmallLanding();
    const customers = join(landing, 'customer', 'landing', 'customer-1.json');
    padded(customers);
    t = await buildTestApp({ landing, rebuildProcess: true, logger, config: { landingSettle: { settleMs: 100, maxWaitMs: 300 } } });
    let written = 0;
    const startWriter = (): (() => void) => {
      const writer = setInterval(() => appendFileSync(customers, customerLine((written += 1))), 5);
      return () => clearInterval(writer);
    };
    return { t, logs, jobs: t.lake.services.rebuilds as RebuildJobs, startWriter };
  }

  const logged = (logs: string[], start: string): Array<Record<string, unknown>> => logs.map((line) => JSON.parse(line)).filter((line) => String(line.msg).startsWith(start));

  it('logs each build again at warn, naming the file relative to landing, and its progress never goes back', async () => {
    const { t, logs, jobs, startWriter } = await serverWithWriter();
    const counts: number[] = [];
    // What a cluster's workers are sent at each change of the job.
    jobs.onChange = () => {
      const job = jobs.list()[0];
      if (job) counts.push(job.completedSteps);
    };
    const stopWriter = startWriter();
    try {
      const started = await t.graphql('mutation { rebuildZones { id } }', ADMIN_KEY);
      expect(started.body.errors).toBeUndefined();
      // The writer finishes once the build has gone again: a later build reads the file whole.
      while (jobs.current() && logged(logs, 'rebuild goes again').length === 0) await sleep(5);
    } finally {
      stopWriter();
    }
    await jobs.settled();

    const [job] = jobs.list();
    expect(job.state).toBe('SUCCEEDED');
    const again = logged(logs, 'rebuild goes again');
    expect(again.length).toBeGreaterThanOrEqual(1);
    again.forEach((line, k) =>
      expect(line).toMatchObject({ level: 40, file: 'customer/landing/customer-1.json', change: 'appended to', build: k + 2, builds: 3, msg: 'rebuild goes again: a landing file changed while it was read (a writer still at work); steps done stay counted' }),
    );
    // Relative to landing: the server's folders stay out of the line.
    expect(JSON.stringify(again)).not.toContain(t.lake.landing);
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    expect(counts[counts.length - 1]).toBe(job.totalSteps);
  });

  it('fails after the last build, telling the admin a writer is at work, logged at warn without a stack, and no failure for the erasure to back off from', async () => {
    const { t, logs, jobs, startWriter } = await serverWithWriter();
    const stopWriter = startWriter();
    let id: string;
    try {
      id = (await t.graphql('mutation { rebuildZones { id } }', ADMIN_KEY)).body.data.rebuildZones.id;
      await jobs.settled();
    } finally {
      stopWriter();
    }

    const res = await t.graphql(`{ rebuildJob(id: "${id}") { state error } }`, ADMIN_KEY);
    expect(res.body.data.rebuildJob).toEqual({
      state: 'FAILED',
      error: `the build failed; the previous version stays live: a landing file kept changing while the build read it (a writer still at work); the server log names it (rebuild job ${id})`,
    });
    expect(erasureStateOf(jobs.get(id))).toBe('REFUSED');
    expect(logged(logs, 'rebuild goes again').map((line) => line.build)).toEqual([2, 3]);
    const failed = logged(logs, 'rebuild failed');
    expect(failed).toEqual([expect.objectContaining({ level: 40, msg: 'rebuild failed: a landing file kept changing while it was read (a writer still at work); the previous version stays live' })]);
    expect(JSON.stringify(failed)).not.toContain('stack');
  });
});
