import fc from 'fast-check';
import { PEER_FIGURES, parsePeerFigures, parsePeerSizes, runsAt } from '../../../bench/peer/peer-sizes';

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

describe(`choosing the figure groups of the peer run (seed ${SEED})`, () => {
  it('accepts known groups, deduplicated in the order given', () => {
    expect(parsePeerFigures('pull')).toEqual(['pull']);
    expect(parsePeerFigures(' pull, deep,pull ')).toEqual(['pull', 'deep']);
    expect(parsePeerFigures('pull,')).toEqual(['pull']);
  });

  it('rejects anything else with a message naming the groups', () => {
    for (const raw of ['', ' , ', 'pulls', 'pull;deep', 'PULL']) {
      expect(() => parsePeerFigures(raw)).toThrow(/among memory, pull, nested, deep, small, rebuild/);
    }
  });

  it('never returns a group outside the known ones, whatever the input', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.array(fc.constantFrom(...PEER_FIGURES, 'x', ' ', '')).map((a) => a.join(','))), (raw) => {
        try {
          const groups = parsePeerFigures(raw);
          return groups.length > 0 && groups.every((g) => (PEER_FIGURES as readonly string[]).includes(g)) && new Set(groups).size === groups.length;
        } catch (error) {
          return /among memory, pull/.test((error as Error).message);
        }
      }),
      { seed: SEED, numRuns: 500 },
    );
  });
});
