import fc from 'fast-check';
import { INVISIBLE_RANGES } from '../../../etl/landing/email-spelling';
import { ESCAPED_CHARACTER, decodeEscapes } from '../../../etl/landing/escaped-characters';

/** The escapes a producer writes in a bad line, decoded before the address search spells it (JSON, Python, Rust, Ruby, Perl). */

const hex = (n: number, digits: number): string => n.toString(16).padStart(digits, '0');
const listed = INVISIBLE_RANGES.flatMap(([from, to]) => Array.from({ length: to - from + 1 }, (_, i) => from + i));

describe('the escapes in a bad line', () => {
  it('decodes a character written \\xNN, \\uNNNN, a surrogate pair, \\UNNNNNNNN, \\u{N} or \\x{N}, in either case of hex', () => {
    const cases: Array<[string, string]> = [
      ['\\x61', 'a'],
      ['\\u0040', '@'],
      ['\\u00E9', '\u00e9'],
      ['\\uFF41', '\uff41'],
      ['\\ud83d\\ude00', '\u{1f600}'],
      ['\\uD83D\\uDE00', '\u{1f600}'],
      ['\\U0001f600', '\u{1f600}'],
      ['\\u{61}', 'a'],
      ['\\x{e9}', '\u00e9'],
      ['\\u{1F600}', '\u{1f600}'],
    ];
    for (const [written, character] of cases) expect(decodeEscapes(`a${written}b`)).toBe(`a${character}b`);
  });

  it('reads an escape escaped again (a run of backslashes) as the character, as a JSON string holding a printed dict writes it', () => {
    expect(decodeEscapes(`{"msg": "{'email': 'ali\\\\u0063e@test.com'}"}`)).toBe(`{"msg": "{'email': 'alice@test.com'}"}`);
    expect(decodeEscapes('\\\\\\\\x40\\\\ud83d\\\\ude00')).toBe('@\u{1f600}');
  });

  it('reads every listed invisible character as a space (a control or the space) or as itself, so the fold drops it as it drops the character', () => {
    for (const c of listed) {
      const forms = [`\\U${hex(c, 8)}`, `\\u{${hex(c, 1)}}`];
      if (c < 0x100) forms.push(`\\x${hex(c, 2)}`);
      if (c < 0x10000) forms.push(`\\u${hex(c, 4)}`);
      else forms.push(`\\u${hex(0xd800 + ((c - 0x10000) >> 10), 4)}\\u${hex(0xdc00 + ((c - 0x10000) & 0x3ff), 4)}`);
      for (const form of forms) expect(decodeEscapes(`a${form}b`)).toBe(c <= 0x20 ? 'a b' : `a${String.fromCodePoint(c)}b`);
    }
  });

  it('keeps as written what names no character and what only looks like an escape', () => {
    for (const text of ['\\ud800', '\\udc00\\ud800', '\\U00110000', '\\u{110000}', '\\u{}', '\\u{1234567}', '\\u20', '\\xz1', 'u0061', '\\X41', '\\N{AT}', '\\q'])
      expect(decodeEscapes(`a${text}b`)).toBe(`a${text}b`);
  });

  it('matches a run of backslashes that starts no escape whole, so the search resumes past it (tried from each backslash, n took n² steps)', () => {
    const escaped = new RegExp(ESCAPED_CHARACTER, 'g');
    const run = '\\'.repeat(1_000);
    expect([...`${run}q${run}\\x41`.matchAll(escaped)].map((m) => [m.index, m[0].length])).toEqual([
      [0, 1_000],
      [1_001, 1_004],
    ]);
    expect(decodeEscapes(`${run}q`)).toBe(`${run}q`);
  });

  it('decodes in one pass, left to right: a decoded backslash starts no escape, and text without escapes is itself (seeded)', () => {
    expect(decodeEscapes('\\x5cu0061')).toBe('\\u0061');
    const SEED = Number(process.env.STEDI_PROPERTY_SEED ?? Math.floor(Math.random() * 2 ** 31));
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', '@', '\\', 'u', 'x', 'U', '{', '}', '0', '4', 'd', '8', 'c', 'F') }), (text) => {
        const out = decodeEscapes(text);
        // Never longer: every escape is at least as long as what it decodes to, in UTF-16 units.
        expect(out.length).toBeLessThanOrEqual(text.length);
        if (!text.includes('\\')) expect(out).toBe(text);
      }),
      { seed: SEED, numRuns: 2_000 },
    );
  });
});
