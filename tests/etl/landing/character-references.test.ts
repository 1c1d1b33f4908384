import fc from 'fast-check';
import { decodeReferences } from '../../../etl/landing/character-references';

/** HTML and XML character references in a bad line (an XML export, a page), decoded before the address search spells it. */

const SEED = Number(process.env.STEDI_PROPERTY_SEED ?? Math.floor(Math.random() * 2 ** 31));

describe(`the character references in a bad line (seed ${SEED})`, () => {
  it('decodes decimal, hexadecimal (either case of x and digits, leading zeros) and named references', () => {
    expect(decodeReferences('<email>alice&#64;test.com</email>')).toBe('<email>alice@test.com</email>');
    expect(decodeReferences('alice&#x40;test&#X2E;com &#0000064;')).toBe('alice@test.com @');
    expect(decodeReferences('alice&commat;test&period;com a&lowbar;b&plus;c')).toBe('alice@test.com a_b+c');
    expect(decodeReferences('&#x1F600;&#233;')).toBe('\u{1f600}\u00e9');
  });

  it('reads a numeric reference without its semicolon, as HTML does, but never a named one', () => {
    expect(decodeReferences('alice&#64test.com')).toBe('alice@test.com');
    expect(decodeReferences('alice&commattest.com')).toBe('alice&commattest.com');
  });

  it('reads a control or the space as a space, and leaves as written what names no character or no address character', () => {
    expect(decodeReferences('a&#0;&#9;&#x20;b')).toBe('a   b');
    for (const text of ['&#x110000;', '&#xD800;', '&#55296;', '&#99999999;', '&COMMAT;', '&nbsp;', '&#;', '&#x;', '&', 'AT&T'])
      expect(decodeReferences(`<${text}>`)).toBe(`<${text}>`);
  });

  it('decodes in one pass: a decoded & starts no new reference, and text without one is itself', () => {
    expect(decodeReferences('&amp;#64;')).toBe('&#64;');
    expect(decodeReferences('&#38;commat;')).toBe('&commat;');
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', '@', '&', '#', 'x', '4', '6', ';', 'c', 'o', 'm', 'a', 't') }), (text) => {
        const out = decodeReferences(text);
        expect(out.length).toBeLessThanOrEqual(text.length);
        if (!text.includes('&')) expect(out).toBe(text);
      }),
      { seed: SEED, numRuns: 2_000 },
    );
  });

  it('reads back any text whose characters are written as references or as themselves', () => {
    const character = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }).filter((c) => !/[\u0000-\u0020&]/u.test(c));
    const piece = fc.tuple(character, fc.constantFrom('self', 'decimal', 'hex'));
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }), (pieces) => {
        const written = pieces
          .map(([c, how]) => (how === 'self' ? c : [...c].map((p) => (how === 'decimal' ? `&#${p.codePointAt(0)};` : `&#x${p.codePointAt(0)!.toString(16)};`)).join('')))
          .join('');
        expect(decodeReferences(written)).toBe(pieces.map(([c]) => c).join(''));
      }),
      { seed: SEED, numRuns: 2_000 },
    );
  });
});
