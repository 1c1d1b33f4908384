import { spawn } from 'node:child_process';
import { cpuNs, treePids, withTreeCpu } from '../../../bench/peer/process-cpu';

/** Spins until this process has used `ms` more of CPU (not of wall time, which a loaded machine stretches). */
function burnCpu(ms: number): void {
  const start = process.cpuUsage();
  for (;;) {
    const used = process.cpuUsage(start);
    if ((used.user + used.system) / 1000 >= ms) return;
  }
}

describe('measuring the CPU of a process tree', () => {
  it('counts the CPU the tree spends while the work runs', async () => {
    const { cpuMs, result } = await withTreeCpu([process.pid], async () => {
      burnCpu(60);
      return 'done';
    });
    expect(result).toBe('done');
    expect(cpuMs).toBeGreaterThanOrEqual(50);
  });

  it('counts a child that ends during the work as nothing, never as negative CPU', async () => {
    const child = spawn(process.execPath, ['-e', 'const s = process.cpuUsage(); while (process.cpuUsage(s).user < 80000);']);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const exited = new Promise((resolve) => child.once('exit', resolve));
    const { cpuMs } = await withTreeCpu([process.pid], () => exited);
    expect(cpuMs).toBeGreaterThanOrEqual(0);
  });

  it('counts an ended or unknown process as 0', async () => {
    expect(await cpuNs([2 ** 22 + 7])).toBe(0);
  });

  it("lists a tree's processes, its root among them", async () => {
    const pids = await treePids([process.pid]);
    expect(pids).toContain(process.pid);
  });
});
