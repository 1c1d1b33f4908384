import fc from 'fast-check';
import { NamedAddresses } from '../../../etl/landing/named-addresses';

/**
 * Doubt hides an address a bad line writes whole, and only one (whole-address.ts): `ally@x.com` does not name
 * y@x.com. The reference reads the generated line plainly, unit by unit, two ways: its escapes and encodings of a
 * space read as a space (decoded), or as the characters they are written with (literal); a space or an invisible
 * character is a gap either way, which may also stand inside an address. An address is written whole where its characters follow one another (gaps between
 * them read as nothing), with no letter or digit (nor such a one and a `.`) glued before it, nor after it; both readings
 * are read again with a gap at each camelCase join (an ASCII lower-case letter written right before an upper-case one).
 */

type Unit = { literal: string; decoded: string | null };
const char = (c: string): Unit => ({ literal: c, decoded: c });
// A gap: read as one by the search as written too (a space, a tab, a zero-width space).
const gap = (c: string): Unit => ({ literal: c, decoded: null });
// Written otherwise: a space or a line end escaped or encoded (read as their characters, literally), `%40` for `@`.
const encoded = (literal: string, decoded: string | null): Unit => ({ literal, decoded });

const GAPS = [' ', '\t', '\u200b'].map(gap);
// Decoded, a space escaped or referenced reads as nothing (a gap), one written `\n`, `%20`, `\040` or `=20` as a space (`=3D` as `=`): it bounds an address but is not read inside one.
const ENCODED_GAPS = [encoded('\\n', ' '), encoded('\\u0020', null), encoded('%20', ' '), encoded('&#32;', null), encoded('\\t', ' '), encoded('\\040', ' '), encoded('=20', ' '), encoded('=3D', '=')];
const AROUND = ['a', 'y', 'Y', '1', '.', '-', '_', '+', '<', '>', ':', '"', "'", '=', '?', '/', '|', '&', '*'].map(char);

// A camelCase join (`revokeAnn@x.com`): a gap in both readings.
const JOIN: Unit = { literal: '', decoded: null };
const joined = (units: Unit[]): Unit[] =>
  units.flatMap((u, i) => (i > 0 && /[a-z]$/.test(units[i - 1].literal) && /^[A-Z]/.test(u.literal) ? [JOIN, u] : [u]));

type Token = { c: string } | 'gap';
const tokens = (units: Unit[], literal: boolean): Token[] =>
  units.flatMap((u): Token[] => {
    if (u === JOIN || u.literal === ' ' || u.literal === '\t' || u.literal === '\u200b') return ['gap'];
    const text = literal ? u.literal : u.decoded;
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
          const written: Unit[] = [...(upper ? email.toUpperCase() : email)].map((c) => (c === '@' && percent ? encoded('%40', '@') : char(c)));
          if (gapAt !== undefined) written.splice(1 + (gapAt % written.length), 0, gapUnit);
          units.push(...written);
        }
        units.push(...end);
        const line = units.map((u) => u.literal).join('');
        const search = new NamedAddresses();
        search.keep(line, 1);
        const named = new Set([...search.named([...new Set(emails)])].map(([email]) => email));
        const readings = [units, joined(units)].flatMap((read) => [tokens(read, false), tokens(read, true)]);
        const expected = new Set([...new Set(emails)].filter((email) => readings.some((read) => whole(read, email))));
        expect({ line, named: [...named].sort() }).toEqual({ line, named: [...expected].sort() });
      }),
      { seed: SEED, numRuns: 500 },
    );
  });
});
