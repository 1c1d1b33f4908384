import fc from 'fast-check';
import { oneLine, printablePath } from '../../src/commands/printable-text';
import { shellWord } from '../../etl/shell-word';

const SEED = Number(process.env.STEDI_PROPERTY_SEED ?? Math.floor(Math.random() * 2 ** 31));
const LINE_BREAKING = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

describe(`paths and messages printed on one line (seed ${SEED})`, () => {
  it('prints a path with no control character as it is, and any other JSON-quoted with no control character left', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (path) => {
        const printed = printablePath(path);
        expect(printed).not.toMatch(LINE_BREAKING);
        if (LINE_BREAKING.test(path)) expect(JSON.parse(printed)).toBe(path);
        else expect(printed).toBe(path);
        expect(oneLine(`a ${path} b`)).not.toMatch(LINE_BREAKING);
      }),
      { seed: SEED, numRuns: 500 },
    );
  });

  it('writes a control character of a suggested path as an escape, keeping the command on one line', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (path) => {
        expect(shellWord(path)).not.toMatch(/[\u0000-\u001f\u007f]/);
      }),
      { seed: SEED, numRuns: 500 },
    );
    expect(shellWord("/tmp/it's\nhere")).toBe("$'/tmp/it\\'s\\x0ahere'");
    expect(shellWord('/tmp/my lake')).toBe("'/tmp/my lake'");
  });
});
