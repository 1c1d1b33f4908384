import fc from 'fast-check';
import { NamedAddresses } from '../../../etl/landing/named-addresses';

/**
 * Doubt hides an address a bad line writes whole, and only one (whole-address.ts): `ally@x.com` does not name
 * y@x.com. The reference reads the generated line plainly, unit by unit, three ways: as written (literal); decoded, as
 * the search decodes (a space's escape or reference, `\u0020`, `&#32;`, is a space, `%40` is `@`, anything else as
 * written); and separated, decoded with every other writing of a space (`\n`, `%20`, `\040`, any quoted-printable
 * `=XX`) a boundary. A space or an invisible character is a gap in every reading, which may also stand inside an
 * address. An address is written whole where its characters follow one another (gaps between them read as nothing),
 * with no letter or digit (nor such a one and a `.`) glued before it, nor after it; the literal and separated readings
 * are read again with a gap at each camelCase join (an ASCII lower-case letter written right before an upper-case one).
 */

type Unit = { literal: string; decoded: string | null; separated: string | null };
const char = (c: string): Unit => ({ literal: c, decoded: c, separated: c });
// A gap: read as one by the search as written too (a space, a tab, a zero-width space).
const gap = (c: string): Unit => ({ literal: c, decoded: null, separated: null });
// A space escaped or referenced: a gap once decoded.
const spaceDecoded = (literal: string): Unit => ({ literal, decoded: null, separated: null });
// A space, a tab or a line end written so that decoding leaves it as written: a boundary (a space) once separated.
const spaceSeparated = (literal: string): Unit => ({ literal, decoded: literal, separated: ' ' });

const GAPS = [' ', '\t', '\u200b'].map(gap);
const ENCODED_GAPS = [spaceDecoded('\\u0020'), spaceDecoded('&#32;'), ...['\\n', '%20', '\\t', '\\040', '=20', '=3D'].map(spaceSeparated)];
const AROUND = ['a', 'y', 'Y', '1', '.', '-', '_', '+', '<', '>', ':', '"', "'", '=', '?', '/', '|', '&', '*'].map(char);

// A camelCase join (`revokeAnn@x.com`): a gap in every reading.
const JOIN: Unit = { literal: '', decoded: null, separated: null };
const joined = (units: Unit[]): Unit[] =>
  units.flatMap((u, i) => (i > 0 && /[a-z]$/.test(units[i - 1].literal) && /^[A-Z]/.test(u.literal) ? [JOIN, u] : [u]));
// Separated, `=` and two upper-case hex digits written as three characters is quoted-printable too (`=1A`): a boundary.
const HEX_DIGIT = (u: Unit | undefined): boolean => u !== undefined && u.decoded === u.literal && /^[0-9A-F]$/.test(u.literal);
function quotedPrintable(units: Unit[]): Unit[] {
  const read: Unit[] = [];
  for (let i = 0; i < units.length; i += 1) {
    if (units[i].literal === '=' && HEX_DIGIT(units[i + 1]) && HEX_DIGIT(units[i + 2])) {
      read.push(spaceSeparated(units.slice(i, i + 3).map((u) => u.literal).join('')));
      i += 2;
    } else read.push(units[i]);
  }
  return read;
}

type Reading = 'literal' | 'decoded' | 'separated';
type Token = { c: string } | 'gap';
const tokens = (units: Unit[], reading: Reading): Token[] =>
  units.flatMap((u): Token[] => {
    if (u === JOIN || GAPS.some((g) => g.literal === u.literal)) return ['gap'];
    const text = u[reading];
    return text === null ? ['gap'] : [...text].map((c) => ({ c: c.toLowerCase() }));
  });

const alnum = (t: Token | undefined): boolean => t !== undefined && t !== 'gap' && /[a-z0-9]/.test(t.c);
const dot = (t: Token | undefined): boolean => t !== undefined && t !== 'gap' && t.c === '.';
// Glued: a letter or digit right beside it, or a `.` right beside it with a letter or digit right beyond.
const glued = (near: Token | undefined, beyond: Token | undefined): boolean => alnum(near) || (dot(near) && alnum(beyond));

/** Whether `email` is written whole in the tokens. */
function whole(read: Token[], email: string): boolean {
  for (let start = 0; start < read.length; start += 1) {
    let at = start;
    let matched = 0;
    let last = -1;
    while (matched < email.length && at < read.length) {
      const t = read[at];
      if (t === 'gap') {
        if (matched === 0) break;
        at += 1;
        continue;
      }
      if (t.c !== email[matched]) break;
      matched += 1;
      last = at;
      at += 1;
    }
    if (matched < email.length) continue;
    const before = /[a-z0-9]/.test(email[0]) && glued(read[start - 1], read[start - 2]);
    const after = /[a-z0-9]/.test(email[email.length - 1]) && glued(read[last + 1], read[last + 2]);
    if (!before && !after) return true;
  }
  return false;
}

describe('an address a bad line names only whole', () => {
  it('names an accepted address iff the line writes it whole, as written or decoded, whatever surrounds it (seeded)', () => {
    // fast-check names the seed of a failure; STEDI_PROPERTY_SEED=<seed> reproduces it.
    const SEED = Number(process.env.STEDI_PROPERTY_SEED ?? Math.floor(Math.random() * 2 ** 31));
    const local = fc.string({ unit: fc.constantFrom('a', 'l', 'y', '1', '.'), minLength: 1, maxLength: 3 });
    // A pair: an address and another holding it (`ally@x.com` and `y@x.com`, `a@x.com.au` and `a@x.com`).
    const pair = fc.record({ inner: local, domain: fc.constantFrom('x.com', 'x.co', 'a1'), prefix: fc.constantFrom('', 'a', 'l.', '1'), suffix: fc.constantFrom('', '.au', 'm', '.') });
    const around = fc.array(fc.constantFrom(...AROUND, ...GAPS, ...ENCODED_GAPS), { maxLength: 4 });
    // One address of the pair written: in either case, `@` percent-encoded or not, with gaps inside.
    const writing = fc.record({ which: fc.boolean(), upper: fc.boolean(), percent: fc.boolean(), gapAt: fc.option(fc.nat(), { nil: undefined }), gapUnit: fc.constantFrom(...GAPS) });
    fc.assert(
      fc.property(pair, fc.array(fc.tuple(around, writing), { minLength: 1, maxLength: 3 }), around, ({ inner, domain, prefix, suffix }, pieces, end) => {
        const emails = [`${inner}@${domain}`, `${prefix}${inner}@${domain}${suffix}`];
        const units: Unit[] = [];
        for (const [before, { which, upper, percent, gapAt, gapUnit }] of pieces) {
          units.push(...before);
          const email = which ? emails[1] : emails[0];
          const written: Unit[] = [...(upper ? email.toUpperCase() : email)].map((c) => (c === '@' && percent ? { literal: '%40', decoded: '@', separated: '@' } : char(c)));
          if (gapAt !== undefined) written.splice(1 + (gapAt % written.length), 0, gapUnit);
          units.push(...written);
        }
        units.push(...end);
        const line = units.map((u) => u.literal).join('');
        const search = new NamedAddresses();
        search.keep(line, 1);
        const named = new Set([...search.named([...new Set(emails)])].map(([email]) => email));
        const separated = quotedPrintable(units);
        const readings = [tokens(units, 'literal'), tokens(units, 'decoded'), tokens(separated, 'separated'), tokens(joined(units), 'literal'), tokens(joined(separated), 'separated')];
        const expected = new Set([...new Set(emails)].filter((email) => readings.some((read) => whole(read, email))));
        expect({ line, named: [...named].sort() }).toEqual({ line, named: [...expected].sort() });
      }),
      { seed: SEED, numRuns: 500 },
    );
  });
});
