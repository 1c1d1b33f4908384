import { spawn } from 'node:child_process';
import { cpuNsSince, threadCpuNs, treePids } from '../../../bench/peer/process-cpu';

/** Spins until this process has used `ms` more of CPU (not of wall time, which a loaded machine stretches). */
function burnCpu(ms: number): void {
  const start = process.cpuUsage();
  for (;;) {
    const used = process.cpuUsage(start);
    if ((used.user + used.system) / 1000 >= ms) return;
  }
}

describe('measuring the CPU of a process tree', () => {
  it('counts a child that ends during the work as nothing, never as negative CPU', async () => {
    const child = spawn(process.execPath, ['-e', 'const s = process.cpuUsage(); while (process.cpuUsage(s).user < 80000);']);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const exited = new Promise((resolve) => child.once('exit', resolve));
    // As the deep-pages figures measure a sample: the tree (the child in it) read before, each thread's CPU since after.
    const pids = await treePids([process.pid]);
    expect(pids).toContain(child.pid);
    const before = await threadCpuNs(pids);
    await exited;
    expect(await cpuNsSince(before, pids)).toBeGreaterThanOrEqual(0);
  });

  it('counts a process that ended since the first reading as nothing, never as negative CPU', async () => {
    const ended = 2 ** 22 + 7;
    expect(await cpuNsSince(new Map([[`${ended}/${ended}`, 5e9]]), [ended])).toBe(0);
  });

  it('counts what the threads ran since their first reading', async () => {
    const before = await threadCpuNs([process.pid]);
    burnCpu(30);
    expect(await cpuNsSince(before, [process.pid])).toBeGreaterThanOrEqual(25e6);
  });

  it("lists a tree's processes, its root among them", async () => {
    const pids = await treePids([process.pid]);
    expect(pids).toContain(process.pid);
  });
});
