import { type ServedLake, serveLake } from '../helpers/served-lake';
import { smallLakeCopies } from '../helpers/small-lake-copies';
import { steppedClock } from '../helpers/stepped-clock';

const DATA = '{ customers(first: 1) { edges { node { serialNumber } } } }';
// Long enough that a request slowed by a loaded CI machine (seconds) is no quiet spell of its own.
const IDLE_MS = 5_000;

const smallLake = smallLakeCopies();

describe('spare workers when the server\'s wall clock is stepped back (NTP)', () => {
  let served: ServedLake | undefined;

  afterEach(async () => {
    await served?.stop();
  });

  it('keeps the spare worker while requests come, stops it once they stop, and starts it again for the next request for data', async () => {
    const { lake, landing } = smallLake();
    const clock = steppedClock();
    served = await serveLake(['--lake', lake, '--landing', landing], {
      ...clock.env,
      STEDI_WORKERS: '2',
      STEDI_SPARE_WORKER_IDLE_MS: String(IDLE_MS),
      LOG_LEVEL: 'info',
    });
    expect((await served.graphql(DATA)).errors).toBeUndefined();
    await served.process.waitFor(/"msg":"spare workers started"/);
    clock.step(-3_600_000);
    // What the primary says from the step on (a spare that started slowly, under load, may have stopped before it).
    const mark = served.process.stdout().length;
    const since = (): string => served!.process.stdout().slice(mark);
    const until = async (pattern: RegExp): Promise<void> => {
      for (const end = Date.now() + 15_000; !pattern.test(since()); await new Promise((r) => setTimeout(r, 50))) {
        if (Date.now() > end) throw new Error(`not logged after the clock step: ${pattern}\n${since()}`);
      }
    };
    // Twice the quiet spell of requests, each a fifth of it apart: the spare is wanted throughout.
    for (let t = 0; t < 2 * IDLE_MS; t += IDLE_MS / 5) {
      expect((await served.graphql(DATA)).errors).toBeUndefined();
      await new Promise((r) => setTimeout(r, IDLE_MS / 5));
    }
    const said = since().match(/"msg":"(spare workers started|no requests: spare workers stopping)"/g) ?? [];
    expect(said.filter((m) => m.includes('stopping'))).toEqual([]);
    await until(/"msg":"no requests: spare workers stopping"/);
    expect((await served.graphql(DATA)).errors).toBeUndefined();
    await until(/spare workers stopping"[\s\S]*"msg":"spare workers started"/);
  }, 60_000);
});
