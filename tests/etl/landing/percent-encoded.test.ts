import fc from 'fast-check';
import { decodePercents } from '../../../etl/landing/percent-encoded';

/** URL percent-encoding in a bad line (a form's body, a query string), decoded before the address search spells it. */

describe('the percent-encoding in a bad line', () => {
  it('decodes each run of %XX as UTF-8, in either case of hex', () => {
    expect(decodePercents('email=alice%40test.com&shareWithResearchAsOfDate=')).toBe('email=alice@test.com&shareWithResearchAsOfDate=');
    expect(decodePercents('jos%C3%a9%40x.com')).toBe('jos\u00e9@x.com');
    expect(decodePercents('%F0%9F%98%80%2B')).toBe('\u{1f600}+');
  });

  it('leaves as written a run that is not UTF-8, controls and the space, a plus, and what only looks like an escape', () => {
    for (const text of ['jos%E9%40x.com', '%C3', '%ED%A0%80', '%EF%BF%BD', '%00%0a%20', 'a+b', '%4', '%zz', '100%'])
      expect(decodePercents(`<${text}>`)).toBe(`<${text}>`);
    // A run that is not UTF-8 is left whole; the next run is decoded.
    expect(decodePercents('jos%E9 %40x.com')).toBe('jos%E9 @x.com');
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
