import { spawn } from 'node:child_process';
import { descendantsOf, parentPidOf, pssBytesOf, treePss } from '../../../bench/peer/process-memory';

describe('measuring the memory of a process tree', () => {
  it('reads the parent pid after the command name, even one holding spaces and parentheses', () => {
    expect(parentPidOf('4242 (node) S 17 4242 4242 0 -1 4194560 1 0 0 0')).toBe(17);
    expect(parentPidOf('99 (my (odd) name) R 1 99 99 0 -1')).toBe(1);
    expect(() => parentPidOf('garbage')).toThrow(/stat/);
  });

  it('reads the Pss line of smaps_rollup in bytes, not Pss_Anon or the Rss line', () => {
    const text = ['55d0-7ffe ---p 00000000 00:00 0 [rollup]', 'Rss:  1756 kB', 'Pss:  231 kB', 'Pss_Dirty: 112 kB', 'Pss_Anon: 112 kB'].join('\n');
    expect(pssBytesOf(text)).toBe(231 * 1024);
    expect(() => pssBytesOf('Rss: 10 kB\nPss_Anon: 5 kB')).toThrow(/Pss/);
  });

  it('collects every descendant of the roots, once, and nothing else', () => {
    const parents = new Map([
      [10, 1],
      [11, 10],
      [12, 11],
      [13, 10],
      [20, 1],
      [21, 20],
      [30, 12],
    ]);
    expect(descendantsOf([10], parents)).toEqual([10, 11, 12, 13, 30]);
    expect(descendantsOf([10, 11, 21], parents)).toEqual([10, 11, 12, 13, 21, 30]);
    expect(descendantsOf([99], parents)).toEqual([99]);
  });

  const linux = process.platform === 'linux' ? it : it.skip;
  linux('sums the PSS of a live process and its child', async () => {
    const parent = spawn('sh', ['-c', 'sleep 30 & wait'], { stdio: 'ignore', detached: true });
    try {
      for (let tries = 0; tries < 50; tries += 1) {
        if ((await treePss([parent.pid as number])).pids.length >= 2) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      const tree = await treePss([parent.pid as number]);
      const own = await treePss([process.pid]);
      expect(tree.pids).toHaveLength(2);
      expect(tree.pids[0]).toBe(parent.pid);
      expect(tree.pssBytes).toBeGreaterThan(0);
      // This process's own tree includes the sh and its sleep, so it holds at least their memory.
      expect(own.pids).toEqual(expect.arrayContaining(tree.pids));
      expect(own.pssBytes).toBeGreaterThan(tree.pssBytes);
    } finally {
      // The whole group: the sleep must not outlive the test.
      process.kill(-(parent.pid as number), 'SIGKILL');
    }
  });
});
