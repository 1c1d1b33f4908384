import fc from 'fast-check';
import { parsePeerSizes, runsAt } from '../../../bench/peer/peer-sizes';

const SEED = Number(process.env.STEDI_PROPERTY_SEED ?? Math.floor(Math.random() * 2 ** 31));

describe(`choosing the lake sizes of the peer run (seed ${SEED})`, () => {
  it('accepts sizes among 1, 10 and 100, deduplicated and smallest first', () => {
    expect(parsePeerSizes('1,10')).toEqual([1, 10]);
    expect(parsePeerSizes('100, 1, 10, 10')).toEqual([1, 10, 100]);
    expect(parsePeerSizes('10x,100×')).toEqual([10, 100]);
  });

  it('rejects anything else with a message naming the allowed sizes', () => {
    for (const raw of ['', ' ', '2', '1,,10', '1.0', '-1', '0x10', '1e1', '10,abc']) {
      expect(() => parsePeerSizes(raw)).toThrow(/among 1, 10, 100/);
    }
  });

  it('never returns a size outside 1, 10 and 100, whatever the input', () => {
    fc.assert(
      fc.property(fc.string(), (raw) => {
        let sizes: number[] | undefined;
        try {
          sizes = parsePeerSizes(raw);
        } catch (error) {
          return /among 1, 10, 100/.test((error as Error).message);
        }
        return sizes.length > 0 && sizes.every((s) => [1, 10, 100].includes(s)) && [...sizes].sort((a, b) => a - b).join() === sizes.join();
      }),
      { seed: SEED, numRuns: 500 },
    );
  });

  it('gives the larger lakes fewer runs, and quick runs one', () => {
    expect([runsAt(1, 5, false), runsAt(10, 5, false), runsAt(100, 5, false), runsAt(100, 5, true)]).toEqual([5, 3, 2, 1]);
  });
});
