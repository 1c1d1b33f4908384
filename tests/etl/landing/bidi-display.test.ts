import fc from 'fast-check';
import { displayedOf } from '../../../etl/landing/bidi-display';
import { ConsentDoubt } from '../../../etl/landing/consent-doubt';

/**
 * An email as a screen draws it (bidi-display.ts): a right-to-left override draws its run backwards, so a withdrawal
 * whose email is drawn as another customer's address puts both in doubt. Reproduce a property failure with
 * STEDI_PROPERTY_SEED=<seed printed below>.
 */

const SEED = Number(process.env.STEDI_PROPERTY_SEED ?? Math.floor(Math.random() * 2 ** 31));
const reversed = (text: string): string => [...text].reverse().join('');

describe('an email as drawn', () => {
  beforeAll(() => {
    process.stdout.write(`bidi display property test: seed ${SEED} (STEDI_PROPERTY_SEED=${SEED} reproduces it)\n`);
  });

  it('reverses the run after a right-to-left override, up to a pop or the end, and leaves an email without one alone', () => {
    expect(displayedOf('\u202emoc.x@ecila')).toBe('alice@x.com');
    expect(displayedOf('ali\u202emoc.x@ec\u202c')).toBe('alice@x.com\u202c');
    expect(displayedOf('\u202eecila\u202c@x.com')).toBe('alice\u202c@x.com');
    expect(displayedOf('alice@x.com')).toBeUndefined();
    // A nested override is drawn within its run: dropped, so what is drawn holds none to read again.
    expect(displayedOf('\u202emoc.x@\u202eecila')).toBe('alice@x.com');
    // An isolate or an embedding does not reorder a run of ASCII letters.
    expect(displayedOf('\u2067alice@x.com\u2069')).toBeUndefined();
  });

  it('puts an accepted email and the one an override draws as it in doubt, and no other (seeded)', () => {
    const address = fc.tuple(fc.stringMatching(/^[a-z0-9._-]{1,8}$/), fc.stringMatching(/^[a-z0-9-]{1,6}\.[a-z]{2,3}$/)).map(([l, d]) => `${l}@${d}`);
    fc.assert(
      fc.property(address, address, fc.nat(), (own, other, cut) => {
        const at = cut % (own.length + 1);
        // The override anywhere in the address: what follows it is written backwards.
        const drawnAsOwn = `${own.slice(0, at)}\u202e${reversed(own.slice(at))}`;
        const doubt = new ConsentDoubt();
        [own, drawnAsOwn, other].forEach((email, i) => doubt.accepted(email, 1_600_000_000_000 + i));
        // `other` (another address, or own again) is in doubt only as own.
        expect(doubt.uncertain()).toEqual([own, drawnAsOwn].sort());
      }),
      { seed: SEED, numRuns: 300 },
    );
  });
});
