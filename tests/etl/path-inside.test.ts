import fc from 'fast-check';
import { join } from 'node:path';
import { pathInside } from '../../etl/path-inside';

const SEED = Number(process.env.STEDI_PROPERTY_SEED ?? Math.floor(Math.random() * 2 ** 31));
const ROOT = '/lake';

describe(`a path inside a folder (seed ${SEED})`, () => {
  it('is the folder itself as an empty path', () => {
    expect(pathInside(ROOT, ROOT)).toBe('');
  });

  it('is a name starting with two dots, which only looks like a way out', () => {
    expect(pathInside(ROOT, join(ROOT, '..2026.json'))).toBe('..2026.json');
    expect(pathInside(ROOT, join(ROOT, '...', 'x'))).toBe(join('...', 'x'));
  });

  it('is not the parent, a sibling or a path that climbs out', () => {
    expect(pathInside(ROOT, '/')).toBeUndefined();
    expect(pathInside(ROOT, '/lake-2/x')).toBeUndefined();
    expect(pathInside(ROOT, join(ROOT, '..', 'etc', 'passwd'))).toBeUndefined();
    expect(pathInside(join(ROOT, 'a'), join(ROOT, 'a..', 'b'))).toBeUndefined();
  });

  it('is the relative path of any name under the folder, and no name under a sibling', () => {
    const segment = fc.string({ minLength: 1, maxLength: 6 }).filter((s) => !s.includes('/') && !s.includes('\0') && s !== '.' && s !== '..');
    fc.assert(
      fc.property(fc.array(segment, { minLength: 1, maxLength: 4 }), fc.string({ minLength: 1, maxLength: 3 }), (segments, suffix) => {
        expect(pathInside(ROOT, join(ROOT, ...segments))).toBe(join(...segments));
        if (!suffix.includes('/')) expect(pathInside(ROOT, join(`${ROOT}${suffix}`, ...segments))).toBeUndefined();
      }),
      { seed: SEED, numRuns: 300 },
    );
  });
});
