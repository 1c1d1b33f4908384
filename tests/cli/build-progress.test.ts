import { runBuild, type BuildProgress } from '../../etl/build';
import { progressView } from '../../src/commands/build-progress';

/** The label one event alone would show: what progressView names a step. */
const labelOf = (event: BuildProgress): string => progressView()({ ...event, done: false }).label;
import { loadConfig } from '../../src/config';
import { openConfiguredEngine } from '../../src/engine';
import { makeTempDir, writeSmallLanding } from '../helpers/landing-fixture';

describe('the build progress bar', () => {
  it('only moves forward and never names a finished step, while landing sources load in parallel', async () => {
    const landing = writeSmallLanding();
    const engine = await openConfiguredEngine(loadConfig({ lake: makeTempDir(), landing, logLevel: 'silent' }, {}));
    const events: BuildProgress[] = [];
    try {
      const options = { onProgress: (p: BuildProgress) => events.push(p) };
      await runBuild(await engine.buildTarget(options), options);
    } finally {
      await engine.close();
    }
    const view = progressView();
    const finished = new Set<string>();
    let last = 0;
    for (const event of events) {
      const shown = view(event);
      expect(shown.completed).toBeGreaterThanOrEqual(last);
      last = shown.completed;
      const names = shown.label.split(', ');
      if (!event.done) for (const name of names) expect(finished).not.toContain(name);
      if (event.done) finished.add(labelOf(event));
    }
    expect(last).toBe(events[0]!.total);
  });

  it('names the running steps, not the one that just finished', () => {
    const view = progressView();
    const landing = (source: 'customer' | 'accelerometer', done: boolean, completed: number): BuildProgress => ({ step: { kind: 'landing', source }, done, completed, total: 10 });
    view(landing('customer', false, 0));
    expect(view(landing('accelerometer', false, 0)).label).toBe('reading customer landing, reading accelerometer landing');
    expect(view(landing('customer', true, 1))).toEqual({ completed: 1, total: 10, label: 'reading accelerometer landing' });
    expect(view(landing('accelerometer', true, 2))).toEqual({ completed: 2, total: 10, label: 'reading accelerometer landing' });
  });
});
