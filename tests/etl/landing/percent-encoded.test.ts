import fc from 'fast-check';
import { decodePercents } from '../../../etl/landing/percent-encoded';

/** Each UTF-8 byte of `text` as %XX, in lower or upper case (encodeURIComponent leaves letters and digits as written). */
const everyByte = (text: string): string => [...Buffer.from(text)].map((b, i) => `%${b.toString(16).padStart(2, '0')}`[i % 2 === 0 ? 'toUpperCase' : 'toLowerCase']()).join('');

/** URL percent-encoding in a bad line (a form's body, a query string), decoded before the address search spells it. */

describe('the percent-encoding in a bad line', () => {
  it('decodes each run of %XX as UTF-8, in either case of hex', () => {
    expect(decodePercents('email=alice%40test.com&shareWithResearchAsOfDate=')).toBe('email=alice@test.com&shareWithResearchAsOfDate=');
    expect(decodePercents('jos%C3%a9%40x.com')).toBe('jos\u00e9@x.com');
    expect(decodePercents('%F0%9F%98%80%2B')).toBe('\u{1f600}+');
  });

  it('leaves as written a byte that is not UTF-8, controls and the space, a plus, and what only looks like an escape', () => {
    for (const text of ['jos%E9', '%C3', '%ED%A0%80', '%C0%80', '%F4%90%80%80', '%EF%BF%BD', '%00%0a%20', 'a+b', '%4', '%zz', '100%'])
      expect(decodePercents(`<${text}>`)).toBe(`<${text}>`);
  });

  it('decodes every UTF-8 character beside a stray byte that is not UTF-8: doubt hides, a Latin-1 %E9 cannot keep an address unread', () => {
    expect(decodePercents('jos%E9%40x.com')).toBe('jos%E9@x.com');
    expect(decodePercents('serial=%61%62%63%E9&email=a%40b.c%FF')).toBe('serial=abc%E9&email=a@b.c%FF');
    expect(decodePercents('%E9%61lice%40test.com')).toBe('%E9alice@test.com');
    expect(decodePercents('%C3%A9%A9%C3')).toBe('\u00e9%A9%C3');
  });

  it('reads every percent-encoded character whatever stray bytes stand between them (seeded)', () => {
    const SEED = Number(process.env.STEDI_PROPERTY_SEED ?? Math.floor(Math.random() * 2 ** 31));
    // Characters a decoded address may hold (no control, space or U+FFFD), each percent-encoded or written as itself.
    const character = fc.oneof(fc.constantFrom('a', 'Z', '@', '.', '-', '%', '+', '\u00e9', '\u0130', '\u{1f600}', '\uffff'), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }))
      .filter((c) => !/[\u0000-\u0020\u007f\ufffd]/u.test(c) && !/[\ud800-\udfff]/.test(c.replace(/[\ud800-\udbff][\udc00-\udfff]/g, '')));
    // A byte no UTF-8 character starts with, written as %XX: a lone continuation, an overlong lead, beyond U+10FFFF.
    const stray = fc.constantFrom(0x80, 0x9f, 0xbf, 0xc0, 0xc1, 0xf5, 0xff).chain((b) => fc.constantFrom(`%${b.toString(16)}`, `%${b.toString(16).toUpperCase()}`));
    const piece = fc.tuple(character, fc.boolean(), fc.option(stray, { nil: undefined }));
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }), (pieces) => {
        const written = pieces.map(([c, encoded, s]) => `${encoded || c === '%' ? everyByte(c) : c}${s ?? ''}`).join('');
        const read = pieces.map(([c, , s]) => `${c}${s ?? ''}`).join('');
        expect(decodePercents(written)).toBe(read);
      }),
      { seed: SEED, numRuns: 2_000 },
    );
  });

  it('decodes in one pass: a decoded % starts no new run, and text without one is itself (seeded)', () => {
    expect(decodePercents('%2540')).toBe('%40');
    const SEED = Number(process.env.STEDI_PROPERTY_SEED ?? Math.floor(Math.random() * 2 ** 31));
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', '@', '%', '4', '0', 'C', '3', 'E', '9', 'F', '2') }), (text) => {
        const out = decodePercents(text);
        expect(out.length).toBeLessThanOrEqual(text.length);
        if (!text.includes('%')) expect(out).toBe(text);
      }),
      { seed: SEED, numRuns: 2_000 },
    );
  });
});
