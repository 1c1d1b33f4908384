import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { makeTempDir } from './landing-fixture';

// Private: preloaded into the stedi process under test (and its workers and rebuild processes).
const CLOCK_STEP = resolve(__dirname, 'clock-step.cjs');

/**
 * A wall clock a test steps for a stedi process it starts: `env` preloads clock-step.cjs, which runs Date `step(ms)`
 * ahead of the real clock (behind when negative), read from a file at most every 50 ms; timers and performance.now()
 * keep the monotonic clock. Starts at no offset.
 */
export function steppedClock(): { env: Record<string, string>; step: (ms: number) => void } {
  const file = join(makeTempDir('stedi-clock-'), 'offset-ms');
  const step = (ms: number): void => writeFileSync(file, String(ms));
  step(0);
  return { env: { NODE_OPTIONS: `--require ${JSON.stringify(CLOCK_STEP)}`, STEDI_TEST_CLOCK_FILE: file }, step };
}
