import { readdirSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runBin } from '../helpers/spawn-cli';
import { canMountTmpfs, tmpfsForSuite } from '../helpers/tmpfs';

/**
 * A sample written onto a full disk, by `stedi start` (into its landing folder) and `stedi generate`: one line naming
 * the folder, what it needed when known, and the fix; Node's "ENOSPC: no space left on device, write" named neither.
 * A real tmpfs, skipped where this process may not mount one (not root, or a sandbox that forbids it).
 */

/** Fills `mountPoint` up to `freeKiB` free, with a file the caller removes. */
function fillUpTo(mountPoint: string, freeKiB: number): string {
  const filler = join(mountPoint, 'filler');
  const { bavail, bsize } = statfsSync(mountPoint);
  writeFileSync(filler, Buffer.alloc(bavail * bsize - freeKiB * 1024));
  return filler;
}

const SOURCE_FOLDERS = ['accelerometer', 'customer', 'step_trainer'];

(canMountTmpfs ? describe : describe.skip)('a sample written onto a full disk', () => {
  jest.setTimeout(60_000);
  const mountPoint = tmpfsForSuite('stedi-tmpfs-sample-', 'size=1m');

  it('is refused by stedi start before it writes any landing file, saying how much the sample needs and the disk has', async () => {
    const lake = join(mountPoint, 'lake');
    const run = await runBin(['start', '--lake', lake, '--port', '0'], { HOST: '127.0.0.1', STEDI_WORKERS: '1' });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      new RegExp(
        `^stedi: no landing data in ${lake}, and the sample start generates there \\(1,000 customers\\) takes about [\\d.]+ MB: its disk has [\\d.]+ MB free; free space there, or point --landing and --lake at folders on a larger disk\n$`,
      ),
    );
    // Its development keys only (kept for the next start): no landing folder, no staging folder, no build.
    expect(readdirSync(lake)).toEqual(['_stedi']);
    rmSync(lake, { recursive: true });
  });

  it('stops stedi generate with one line naming the folder and the fix when the disk fills while it writes, and moves nothing in', async () => {
    // Room for the estimate of one customer's lines (11.5 kB), not for the three files' pages they take.
    const filler = fillUpTo(mountPoint, 12);
    try {
      const out = join(mountPoint, 'landing');
      const run = await runBin(['generate', '--customers', '1', '--out', out]);
      expect({ code: run.code, stderr: run.stderr }).toEqual({
        code: 1,
        stderr: `stedi: no space left on the device holding ${out} while writing the sample landing data (nothing was written to the landing folders); free space there, or point --out at a folder on a larger disk\n`,
      });
      expect(readdirSync(out).sort()).toEqual(SOURCE_FOLDERS);
      for (const source of SOURCE_FOLDERS) expect({ source, files: readdirSync(join(out, source, 'landing')) }).toEqual({ source, files: [] });
      rmSync(out, { recursive: true });
    } finally {
      rmSync(filler);
    }
  });
});
