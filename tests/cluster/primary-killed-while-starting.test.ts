import { resolve } from 'node:path';
import { ADMIN_KEY } from '../helpers/http-app';
import { smallLakeCopies } from '../helpers/small-lake-copies';
import { spawnBin } from '../helpers/spawn-cli';

// The worker kills its primary just before a message to it, then sends it to the closed channel (EPIPE).
const PRIMARY_DIES = resolve(__dirname, '..', 'helpers', 'primary-dies-at-send.cjs');
// Whether the failed send or the closed channel reaches the worker first is a race: each case starts a server three times.
const TRIES = 3;

const smallLake = smallLakeCopies();

/** `stedi serve` with two workers, the primary killed by one of them before `at`: its stderr once every process exited. */
async function killedAt(at: string): Promise<string> {
  const { lake, landing } = smallLake();
  const run = spawnBin(['serve', '--lake', lake, '--landing', landing], {
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    STEDI_API_KEYS: `${ADMIN_KEY}:admin`,
    STEDI_WORKERS: '2',
    NODE_OPTIONS: `--require ${JSON.stringify(PRIMARY_DIES)}`,
    STEDI_TEST_KILL_PRIMARY_AT: at,
  });
  // 'close': the workers too have exited (they hold the same stdout and stderr).
  await run.exited;
  return run.stderr();
}

describe('a cluster worker whose primary is killed (kill -9) while the worker starts', () => {
  // stedi's request to listen (primary-channel.ts), Node's cluster saying the worker listens (worker-main.ts).
  it.each(['stedi:request', 'act:listening'])('exits without a stack trace on stderr when the primary dies before its %s message', async (at) => {
    // One after another: a cluster starting at once beside each other loaded the machine for the suites running beside.
    for (let i = 0; i < TRIES; i += 1) {
      const stderr = await killedAt(at);
      expect(stderr).not.toMatch(/^\s+at |Unhandled 'error'/m);
      expect(stderr.split('\n').filter(Boolean).length).toBeLessThanOrEqual(1);
    }
  }, 60_000);
});
