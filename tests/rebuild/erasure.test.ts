import { BuildLockedError } from '../../etl/engine/duckdb/build-lock';
import { EXCEEDED_LOG_EVERY_MS, Erasure, erasureStateOf, MAX_RETRY_WAIT_MS } from '../../src/rebuild/erasure';
import { isLakeBusy } from '../../src/rebuild/failure-message';
import type { RebuildState } from '../../src/rebuild/rebuild-job';
import { createLogger } from '../../src/logger';
import { loggedLines } from '../helpers/log-lines';

const ERASURE_MS = 9_000;
const pending = (seenAgoMs: number) => ({ since: new Map([['a@x', new Date(Date.now() - seenAgoMs)]]), versions: ['v1'], abandoned: new Map(), unreadable: new Map() });

describe('the erasure rebuild', () => {
  let states: Map<string, RebuildState>;
  let started: string[];
  let erasure: Erasure;

  beforeEach(() => {
    jest.useFakeTimers({ now: new Date('2026-12-02T10:00:00Z') });
    states = new Map();
    started = [];
    erasure = new Erasure(
      async () => {
        const id = `job-${started.length + 1}`;
        started.push(id);
        states.set(id, 'RUNNING');
        return { id };
      },
      (id) => states.get(id),
      createLogger('silent', false),
      ERASURE_MS,
    );
    // The process's first refresh found nothing held: what later ones find was read by this process.
    erasure.onRefresh({ since: new Map(), versions: [], abandoned: new Map(), unreadable: new Map() });
    jest.advanceTimersByTime(1);
  });

  afterEach(() => {
    erasure.stop();
    jest.useRealTimers();
  });

  /** One consent refresh that still finds a kept version holding the customer, then `ms` later. */
  async function refreshThenWait(ms: number): Promise<void> {
    erasure.onRefresh(pending(0));
    await jest.advanceTimersByTimeAsync(ms);
  }

  it('starts a third into the bound, and not again while its build runs', async () => {
    await refreshThenWait(ERASURE_MS / 3 - 1);
    expect(started).toEqual([]);
    await jest.advanceTimersByTimeAsync(1);
    expect(started).toEqual(['job-1']);
    await refreshThenWait(ERASURE_MS);
    expect(started).toEqual(['job-1']);
  });

  it('starts at once when the live version was built under any while the server serves as-of (it serves nobody meanwhile)', async () => {
    erasure.onRefresh({ ...pending(0), liveBehind: 'v1' });
    await jest.advanceTimersByTimeAsync(0);
    expect(started).toEqual(['job-1']);
  });

  it('waits twice as long after each failed build, up to an hour, and starts over after one succeeds', async () => {
    await refreshThenWait(ERASURE_MS / 3);
    const waits: number[] = [];
    for (let k = 1; k <= 12; k += 1) {
      states.set(`job-${k}`, 'FAILED');
      erasure.onRefresh(pending(0));
      waits.push(erasure.retryWaitMs());
      await jest.advanceTimersByTimeAsync(erasure.retryWaitMs() - 1);
      expect(started).toHaveLength(k);
      await jest.advanceTimersByTimeAsync(1);
      expect(started).toHaveLength(k + 1);
    }
    expect(waits.slice(0, 4)).toEqual([3_000, 6_000, 12_000, 24_000]);
    expect(Math.max(...waits)).toBe(MAX_RETRY_WAIT_MS);
    states.set('job-13', 'SUCCEEDED');
    await refreshThenWait(0);
    await jest.advanceTimersByTimeAsync(ERASURE_MS / 3);
    expect(started).toHaveLength(14);
  });

  it('does not start when a refresh before its time finds the customer erased already (another worker\'s or an admin\'s rebuild)', async () => {
    await refreshThenWait(ERASURE_MS / 3 - 10);
    erasure.onRefresh({ since: new Map(), versions: [], abandoned: new Map(), unreadable: new Map() });
    await jest.advanceTimersByTimeAsync(ERASURE_MS);
    expect(started).toEqual([]);
    // A later revocation is erased as ever.
    await refreshThenWait(ERASURE_MS / 3);
    expect(started).toEqual(['job-1']);
  });

  it('asks once for a rebuild whose start is not answered yet (a cluster worker asks the primary): a refresh meanwhile does not ask again', async () => {
    let answer: (job: { id: string }) => void = () => undefined;
    const asked: string[] = [];
    const waiting = new Erasure(
      () => {
        asked.push('start');
        return new Promise((resolve) => (answer = resolve));
      },
      () => 'FAILED',
      createLogger('silent', false),
      ERASURE_MS,
    );
    try {
      waiting.onRefresh({ since: new Map(), versions: [], abandoned: new Map(), unreadable: new Map() });
      const seen = pending(0);
      await jest.advanceTimersByTimeAsync(ERASURE_MS / 3);
      waiting.onRefresh(seen);
      await jest.advanceTimersByTimeAsync(0);
      expect(asked).toHaveLength(1);
      waiting.onRefresh(seen);
      await jest.advanceTimersByTimeAsync(ERASURE_MS);
      expect(asked).toHaveLength(1);
      // Answered (and failed): the next refresh counts it, and the next try waits as after any failure.
      answer({ id: 'job-1' });
      await jest.advanceTimersByTimeAsync(0);
      waiting.onRefresh(seen);
      await jest.advanceTimersByTimeAsync(waiting.retryWaitMs());
      expect(asked).toHaveLength(2);
    } finally {
      waiting.stop();
    }
  });

  it('counts a build refused because another build held the lake as no failure: the next refresh tries again at once', async () => {
    const busy = { state: 'FAILED' as const, lakeBusy: isLakeBusy(new BuildLockedError('/lake/_stedi/build.lock', null)) };
    expect(erasureStateOf(busy)).toBe('REFUSED');
    expect(erasureStateOf({ state: 'FAILED', lakeBusy: isLakeBusy(new Error('disk')) })).toBe('FAILED');
    // A landing file being written while the build read it (a writer at work) is no fault of the lake either.
    expect(erasureStateOf({ state: 'FAILED', lakeBusy: false, landingChanging: true })).toBe('REFUSED');
    const seen = pending(0);
    erasure.onRefresh(seen);
    await jest.advanceTimersByTimeAsync(ERASURE_MS / 3);
    expect(started).toEqual(['job-1']);
    states.set('job-1', erasureStateOf(busy) as RebuildState);
    erasure.onRefresh(seen);
    await jest.advanceTimersByTimeAsync(0);
    expect(started).toEqual(['job-1', 'job-2']);
  });

  it('starts no rebuild while another build holds the lake (a `stedi build` by hand), and starts at the first refresh after it is free', async () => {
    let busy = true;
    const asked: string[] = [];
    const log = loggedLines('info');
    const waiting = new Erasure(
      async () => {
        asked.push('start');
        return { id: 'job-1' };
      },
      () => 'RUNNING',
      log.logger,
      ERASURE_MS,
      async () => busy,
    );
    try {
      waiting.onRefresh({ since: new Map(), versions: [], abandoned: new Map(), unreadable: new Map() });
      const seen = pending(0);
      for (let t = 0; t < ERASURE_MS / 3 + 5_000; t += 1_000) {
        waiting.onRefresh(seen);
        await jest.advanceTimersByTimeAsync(1_000);
      }
      expect(asked).toEqual([]);
      busy = false;
      waiting.onRefresh(seen);
      await jest.advanceTimersByTimeAsync(0);
      expect(asked).toEqual(['start']);
      expect(log.lines.map((line) => JSON.parse(line).msg)).toEqual([
        'erasure rebuild waits: another build holds the lake; tried again at each consent refresh',
        'erasure rebuild: the lake is free',
        'erasure rebuild starting',
      ]);
    } finally {
      waiting.stop();
    }
  });

  it('starts its rebuild when the look at the lake hangs (a stalled mount) or fails: the build says for itself whether the lake is free', async () => {
    for (const look of [() => new Promise<boolean>(() => undefined), async () => Promise.reject(new Error('EIO'))]) {
      const asked: string[] = [];
      const looking = new Erasure(
        async () => {
          asked.push('start');
          return { id: 'job-1' };
        },
        () => 'RUNNING',
        createLogger('silent', false),
        ERASURE_MS,
        look,
      );
      try {
        looking.onRefresh({ since: new Map(), versions: [], abandoned: new Map(), unreadable: new Map() });
        looking.onRefresh(pending(ERASURE_MS));
        await jest.advanceTimersByTimeAsync(5_000);
        expect(asked).toEqual(['start']);
      } finally {
        looking.stop();
      }
    }
  });

  it('starts at once when the revocation was seen more than a third of the bound ago', async () => {
    erasure.onRefresh(pending(ERASURE_MS));
    await jest.advanceTimersByTimeAsync(0);
    expect(started).toEqual(['job-1']);
  });

  it('starts at once when a dead build left an expired version on disk: it may have died long ago', async () => {
    erasure.onRefresh({ since: new Map(), versions: [], abandoned: new Map([['v0', new Date()]]), unreadable: new Map() });
    await jest.advanceTimersByTimeAsync(0);
    expect(started).toEqual(['job-1']);
  });

  it('starts at once when the process\'s first refresh finds a customer held: an earlier process may have read the revocation long ago', async () => {
    const restarted = new Erasure(
      async () => {
        started.push('job-after-restart');
        return { id: 'job-after-restart' };
      },
      () => undefined,
      createLogger('silent', false),
      ERASURE_MS,
    );
    try {
      restarted.onRefresh(pending(0));
      await jest.advanceTimersByTimeAsync(0);
      expect(started).toEqual(['job-after-restart']);
    } finally {
      restarted.stop();
    }
  });
});

describe('the erasure bound exceeded line', () => {
  const REFRESH_MS = 30_000;
  const EXCEEDED = 'erasure bound exceeded: kept versions still hold customers who withdrew consent';
  let states: Map<string, RebuildState>;
  let log: ReturnType<typeof loggedLines>;
  let erasure: Erasure;

  beforeEach(() => {
    jest.useFakeTimers({ now: new Date('2026-12-02T10:00:00Z') });
    states = new Map();
    log = loggedLines('info');
    erasure = new Erasure(
      async () => {
        const id = `job-${states.size + 1}`;
        states.set(id, 'RUNNING');
        return { id };
      },
      (id) => states.get(id),
      log.logger,
      ERASURE_MS,
    );
    erasure.onRefresh({ since: new Map(), versions: [], abandoned: new Map(), unreadable: new Map() });
  });

  afterEach(() => {
    erasure.stop();
    jest.useRealTimers();
  });

  const logged = (msg: string): Array<Record<string, unknown>> => log.lines.map((l) => JSON.parse(l)).filter((l) => l.msg === msg);
  const held = (since: Array<[string, Date]>) => ({ since: new Map(since), versions: ['v1'], abandoned: new Map(), unreadable: new Map() });

  /** Consent refreshes every 30 s for `ms`, each finding `pending`. */
  async function refreshFor(ms: number, pending: ReturnType<typeof held>): Promise<void> {
    for (let t = 0; t < ms; t += REFRESH_MS) {
      erasure.onRefresh(pending);
      await jest.advanceTimersByTimeAsync(REFRESH_MS);
    }
  }

  it('is logged when first exceeded, then every 15 minutes while nothing changes, the lag metric exact at every refresh', async () => {
    const seen = new Date();
    const pending = held([['a@x', seen]]);
    await refreshFor(40 * 60_000, pending);
    const lines = logged(EXCEEDED);
    expect(lines.map((l) => l.time as number - seen.getTime())).toEqual([REFRESH_MS, REFRESH_MS + EXCEEDED_LOG_EVERY_MS, REFRESH_MS + 2 * EXCEEDED_LOG_EVERY_MS]);
    expect(lines[0]).toMatchObject({ level: 50, lagMs: REFRESH_MS, erasureMs: ERASURE_MS, versions: 1, customers: 1, failedRebuilds: 0 });
    expect(erasure.lagMs(pending)).toBe(Date.now() - seen.getTime());
  });

  it('is logged again at once when another customer is held or an erasure rebuild fails', async () => {
    const first = held([['a@x', new Date()]]);
    await refreshFor(2 * 60_000, first);
    expect(logged(EXCEEDED)).toHaveLength(1);
    const second = held([['a@x', first.since.get('a@x')!], ['b@x', new Date()]]);
    await refreshFor(REFRESH_MS, second);
    expect(logged(EXCEEDED).map((l) => l.customers)).toEqual([1, 2]);
    // As many held, but another customer among them: a change, logged at once.
    const third = held([['a@x', first.since.get('a@x')!], ['c@x', new Date()]]);
    await refreshFor(REFRESH_MS, third);
    expect(logged(EXCEEDED).map((l) => l.customers)).toEqual([1, 2, 2]);
    for (const id of states.keys()) states.set(id, 'FAILED');
    await refreshFor(2 * REFRESH_MS, third);
    expect(logged(EXCEEDED).map((l) => l.failedRebuilds)).toEqual([0, 0, 0, 1]);
  });

  it('says once when the bound is met again, and logs the next excess at once', async () => {
    await refreshFor(2 * 60_000, held([['a@x', new Date()]]));
    await refreshFor(2 * REFRESH_MS, held([]));
    expect(logged('erasure bound met again: no kept version holds a customer who withdrew consent past the bound')).toEqual([expect.objectContaining({ level: 40 })]);
    await refreshFor(2 * 60_000, held([['b@x', new Date()]]));
    expect(logged(EXCEEDED)).toHaveLength(2);
  });
});
