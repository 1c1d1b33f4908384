import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { buildLake } from '../helpers/etl-lake';
import { makeTempDir, writeSmallLanding } from '../helpers/landing-fixture';
import { type ServedLake, serveLake } from '../helpers/served-lake';

/** Each thread's nice value in process `pid` (Linux: /proc/<pid>/task/<tid>/stat, field 19), main thread first. */
function threadNices(pid: number): { main: number; others: number[] } {
  const nice = (tid: string): number => Number(readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8').split(') ')[1]!.split(' ')[16]);
  const others = readdirSync(`/proc/${pid}/task`).filter((tid) => tid !== String(pid)).map(nice);
  return { main: nice(String(pid)), others };
}

const childrenOf = (pid: number): number[] => execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).trim().split(/\s+/).filter(Boolean).map(Number);

/** Waits until `pid` has lowered threads (the server lowers them once it serves), then returns its threads' nice values. */
async function lowered(pid: number): Promise<{ main: number; others: number[] }> {
  for (let tries = 0; tries < 100; tries += 1) {
    const nices = threadNices(pid);
    if (nices.others.some((n) => n > 0)) return nices;
    await new Promise((r) => setTimeout(r, 100));
  }
  return threadNices(pid);
}

const onLinux = process.platform === 'linux' ? describe : describe.skip;

onLinux('the serving engine runs below the event loop', () => {
  const lake = makeTempDir('stedi-lake-');
  let landing: string;
  let served: ServedLake | undefined;

  beforeAll(async () => {
    landing = writeSmallLanding();
    await buildLake(landing, lake);
  });

  afterEach(async () => {
    await served?.stop();
    served = undefined;
  });

  const serve = async (env: Record<string, string>): Promise<number> => {
    served = await serveLake(['--lake', lake, '--landing', landing], env);
    expect((await served.graphql('{ customers(first: 1) { totalCount } }')).errors).toBeUndefined();
    return served.process.child.pid!;
  };

  it('lowers the threads DuckDB starts to nice 10, leaving the event loop and the threads Node started with', async () => {
    const two = await lowered(await serve({ STEDI_WORKERS: '1', STEDI_DUCKDB_THREADS: '2' }));
    await served!.stop();
    const four = await lowered(await serve({ STEDI_WORKERS: '1', STEDI_DUCKDB_THREADS: '4' }));
    for (const process of [two, four]) {
      expect(process.main).toBe(0);
      expect(new Set(process.others)).toEqual(new Set([0, 10]));
    }
    // Two more DuckDB threads are two more lowered threads, and nothing else moves.
    const count = (nices: number[], nice: number): number => nices.filter((n) => n === nice).length;
    expect(count(four.others, 10) - count(two.others, 10)).toBe(2);
    expect(count(four.others, 0)).toBe(count(two.others, 0));
  });

  it('lowers every cluster worker\'s engine threads, and none when STEDI_ENGINE_THREAD_NICE is 0', async () => {
    const primary = await serve({ STEDI_WORKERS: '2', STEDI_SPARE_WORKER_IDLE_MS: '0', STEDI_ENGINE_THREAD_NICE: '7' });
    const workers = childrenOf(primary);
    expect(workers).toHaveLength(2);
    for (const worker of workers) {
      const nices = await lowered(worker);
      expect(nices.main).toBe(0);
      expect(nices.others).toContain(7);
    }
    // The primary runs no engine query: nothing of it is lowered.
    expect(threadNices(primary).others.every((n) => n === 0)).toBe(true);
    await served!.stop();

    // A single process lowers its threads before it says it serves.
    const single = await serve({ STEDI_WORKERS: '1', STEDI_ENGINE_THREAD_NICE: '0' });
    expect(threadNices(single).others.every((n) => n === 0)).toBe(true);
  });
});
