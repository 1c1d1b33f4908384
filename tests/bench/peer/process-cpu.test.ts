import { spawn } from 'node:child_process';
import { cpuNs, treePids, withTreeCpu } from '../../../bench/peer/process-cpu';

describe('measuring the CPU of a process tree', () => {
  it('counts the CPU a child spends while the work runs, and an ended or unknown process as 0', async () => {
    // A child that spins for a while: its CPU is counted through the tree of this process.
    const child = spawn(process.execPath, ['-e', 'const end = Date.now() + 300; while (Date.now() < end);']);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    const { cpuMs, result } = await withTreeCpu([process.pid], async () => {
      await new Promise((resolve) => setTimeout(resolve, 200));
      return 'done';
    });
    await exited;
    expect(result).toBe('done');
    expect(cpuMs).toBeGreaterThan(20);
    expect(await cpuNs([2 ** 22 + 7])).toBe(0);
  });

  it("lists a tree's processes, its root among them", async () => {
    const pids = await treePids([process.pid]);
    expect(pids).toContain(process.pid);
  });
});
