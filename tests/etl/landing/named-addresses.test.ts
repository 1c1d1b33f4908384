import fc from 'fast-check';
import { NamedAddresses } from '../../../etl/landing/named-addresses';

/** The address search of doubt hides: every accepted email a bad line holds, and what happens past its budget. */

// Each (email, date) once: a line may hold an email by more than one of its spellings.
const named = (search: NamedAddresses, accepted: string[]): Array<[string, number | null]> =>
  [...new Set([...search.named(accepted)].map((pair) => JSON.stringify(pair)))].map((pair) => JSON.parse(pair) as [string, number | null]).sort();

describe('the addresses a bad line names', () => {
  it('finds an accepted email anywhere in a line, in either ASCII case, and only accepted ones', () => {
    const search = new NamedAddresses();
    search.keep('x=Ann@T.com&y=2 zed@t.com', 5);
    search.keep('no address here', 6);
    expect(named(search, ['ann@t.com', 'bob@t.com', 'not-an-address'])).toEqual([['ann@t.com', 5]]);
  });

  it('tells two emails apart that share a local part or where one ends inside the other, naming only the one written whole', () => {
    const search = new NamedAddresses();
    search.keep('mail ann@t.com.au and bo@x.org', null);
    expect(named(search, ['ann@t.com', 'ann@t.com.au', 'ann@u.com', 'bo@x.org', 'o@x.org', 'b@x.org'])).toEqual([
      ['ann@t.com.au', null],
      ['bo@x.org', null],
    ]);
  });

  it('finds a respelled email followed at once by a combining mark, and not an email whose own mark the line lacks', () => {
    const search = new NamedAddresses();
    // Spelled whole, `…com` + U+0301 is `…coḿ`: the mark garbles the last letter, not the address.
    search.keep("{'email': '\uff41nn@t.com\u0301', 'x': None}", 1);
    // A mark inside an address garbles it: bob@t.com is not named, bob@t.co (the text before the mark) is.
    search.keep('bo\u200bb@t.co\u0301m', 2);
    search.keep('jos\u00e9\u200b@t.com', 3);
    expect(named(search, ['ann@t.com', 'bob@t.com', 'bob@t.co', 'jose@t.com', 'jos\u00e9@t.com'])).toEqual([
      ['ann@t.com', 1],
      ['bob@t.co', 2],
      ['jos\u00e9@t.com', 3],
    ]);
  });

  it('finds an email whose characters a line writes as escapes of visible ones, even its @, and not one the escapes do not spell', () => {
    const search = new NamedAddresses();
    search.keep("{'email': '\\u0061nn@t.com', 'shareWithResearchAsOfDate': None}", 1);
    search.keep('b\\x6fb\\u{40}t.com', 2);
    search.keep('{"msg": "cy\\\\u0040t.com"}', 3);
    search.keep('d\\u0061\\ud83d\\ude00@t.com', 4);
    expect(named(search, ['ann@t.com', 'bob@t.com', 'cy@t.com', 'da@t.com', 'd@t.com', 'da\u{1f600}@t.com'])).toEqual([
      ['ann@t.com', 1],
      ['bob@t.com', 2],
      ['cy@t.com', 3],
      // Its run beyond ASCII read as nothing too (it may be a garbled invisible character): not d@t.com.
      ['da@t.com', 4],
      ['da\u{1f600}@t.com', 4],
    ]);
  });

  it('finds an email a line writes percent-encoded, as a form body does, and not one a run that is not UTF-8 only seems to spell', () => {
    const search = new NamedAddresses();
    search.keep('email=ann%40t.com&shareWithResearchAsOfDate=', 1);
    search.keep('email=jos%C3%A9%40t.com', 2);
    search.keep('email=jos%E9%40t.com', 3);
    expect(named(search, ['ann@t.com', 'jos\u00e9@t.com', 'jose@t.com'])).toEqual([
      ['ann@t.com', 1],
      ['jos\u00e9@t.com', 2],
    ]);
  });

  it('finds an email whose local part is too long to look up by its @', () => {
    const long = `${'l'.repeat(300)}@t.com`;
    const search = new NamedAddresses();
    search.keep(`revoke ${long.toUpperCase()}`, null);
    expect(named(search, [long])).toEqual([[long, null]]);
  });

  it('counts every accepted customer as named once the bad lines holding an @ outgrow its budget', () => {
    const search = new NamedAddresses(100);
    search.keep(`${'x'.repeat(60)}@junk`, 1);
    search.keep(`${'y'.repeat(60)}@junk`, 1);
    expect(named(search, ['ann@t.com', 'bob@t.com'])).toEqual([
      ['ann@t.com', null],
      ['bob@t.com', null],
    ]);
  });

  it('counts every accepted customer as named once searching the bad lines for emails too long to look up would outgrow its budget', () => {
    const longs = ['a', 'b', 'c'].map((c) => `${c.repeat(300)}@t.com`);
    const lines = (search: NamedAddresses): NamedAddresses => {
      search.keep(`revoke ${longs[0]}`, 7);
      search.keep('nothing@here', 8);
      return search;
    };
    // Within the bound: only the one a line holds.
    expect(named(lines(new NamedAddresses()), [...longs, 'ann@t.com'])).toEqual([[longs[0], 7]]);
    // Three whole searches over ~330 characters of kept text: over a bound of 900, every accepted customer is named.
    expect(named(lines(new NamedAddresses(undefined, 900)), [...longs, 'ann@t.com'])).toEqual([...longs, 'ann@t.com'].map((e) => [e, null]).sort());
    // No email too long to look up: nothing to search whole, whatever the bound.
    expect(named(lines(new NamedAddresses(undefined, 0)), ['ann@t.com', 'nothing@here'])).toEqual([['nothing@here', 8]]);
  });

  it('looks up the many domains of one local part by their lengths, not each against every bad line (n of each took n² steps)', () => {
    // 20,000 accepted respellings of a@x.com and 20,000 bad lines naming them: the search took 18 s of a build.
    const n = 300;
    const accepted = Array.from({ length: n }, (_, i) => `ann@x${String(i).padStart(3, '0')}.com`);
    const search = new NamedAddresses();
    accepted.forEach((email, i) => search.keep(`{"email":"${email}","phone":5}`, i));
    const lookups = jest.spyOn(Map.prototype, 'get');
    const tries = jest.spyOn(String.prototype, 'startsWith');
    let found: Array<[string, number | null]>;
    let steps: number;
    try {
      found = named(search, accepted);
    } finally {
      steps = lookups.mock.calls.length + tries.mock.calls.length;
      lookups.mockRestore();
      tries.mockRestore();
    }
    expect(found).toEqual(accepted.map((email, i) => [email, i]).sort());
    expect(steps).toBeLessThan(20 * n);
  });

  it('reads a line not saved as UTF-8: a run beyond ASCII as any run or as nothing, and an ASCII letter only as itself', () => {
    const search = new NamedAddresses();
    // Latin-1 read as UTF-8: `JOSÉ@T.COM` and `nb\u00a0sp@t.com` with U+FFFD for the bytes 0xC9 and 0xA0.
    search.keep('{"email":"JOS\uFFFD@T.COM"}', 1);
    search.keep('{"email":"nb\uFFFDsp@t.com"}', 2);
    // UTF-8 saved twice: `andré` as `andrÃ©`; two Latin-1 bytes read as one U+FFFD.
    search.keep("{'email': 'andr\u00c3\u00a9@t.com'}", 3);
    search.keep('l\uFFFD@t.com', 4);
    // UTF-8 saved twice, invisible characters inside an ASCII address: a no-break space as `Â` + itself, a zero-width space `â€‹`.
    search.keep("{'email': 'mo\u00c2\u00a0jo@t.com'}", 5);
    search.keep("{'email': 'zw\u00e2\u20ac\u2039sp@t.com'}", 6);
    expect(named(search, ['jos\u00e9@t.com', 'jose@t.com', 'jos@t.com', 'nbsp@t.com', 'andr\u00e9@t.com', 'andre@t.com', 'l\u00ea\u0161@t.com', 'mojo@t.com', 'zwsp@t.com'])).toEqual([
      ['andr\u00e9@t.com', 3],
      ['jos@t.com', 1],
      ['jos\u00e9@t.com', 1],
      ['l\u00ea\u0161@t.com', 4],
      ['mojo@t.com', 5],
      ['nbsp@t.com', 2],
      ['zwsp@t.com', 6],
    ]);
  });

  it('names exactly the accepted emails of characters beyond plain address ones a line holds, as written (ASCII case aside), spelled, or beyond ASCII masked (seeded)', () => {
    // fast-check names the seed of a failure; STEDI_PROPERTY_SEED=<seed> reproduces it.
    const SEED = Number(process.env.STEDI_PROPERTY_SEED ?? Math.floor(Math.random() * 2 ** 31));
    // Invisible (also escaped as Python writes them), escaped, full-width, decomposed and non-ASCII-case characters beside the plain ones.
    const char = fc.constantFrom('a', 'B', '@', '.', 'x', 'Y', ' ', '\u00e9', '\u00c9', 'e\u0301', '\u0301', '\u0323', '\u200b', '\0', '\uff41', '\uff20', '\\u200b', '\\xa0', '\\u0061', '\\x40', '\\\\U00000040', '%40', '%C3%A9', '\uFFFD', '\u00c3\u00a9');
    const text = fc.string({ unit: char, maxLength: 24 });
    fc.assert(
      fc.property(fc.uniqueArray(fc.string({ unit: char, minLength: 1, maxLength: 6 }), { maxLength: 12 }), fc.array(text, { maxLength: 4 }), (accepted, lines) => {
        // An email of plain address characters is named only where written whole: whole-address.property.test.ts.
        accepted = accepted.filter((email) => !/^[a-z0-9._%+@-]*$/i.test(email));
        const search = new NamedAddresses();
        lines.forEach((line, i) => search.keep(line, i));
        const expected = new Set<string>();
        lines.forEach((line, i) => {
          const ascii = (text: string): string => text.replace(/[A-Z]/g, (c) => c.toLowerCase());
          const spelled = (text: string): string => [...text.replace(/[\p{Cc}\p{Cf}\p{Zs}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}\u2800\u{16fe4}\u{1d159}]/gu, '').normalize('NFKC')].map((c) => c.toLowerCase()).join('');
          // A line's percent-encoding, then its escapes are decoded (a run of backslashes as one; an accepted email's are its own characters).
          const escapes: Record<string, string> = { u200b: '\u200b', xa0: '\u00a0', u0061: 'a', x40: '@', U00000040: '@' };
          const unpercented = line.replace(/%40/g, '@').replace(/%C3%A9/g, '\u00e9');
          const spelledLine = spelled(unpercented.replace(/\\+(u200b|xa0|u0061|x40|U00000040)/g, (_, escape: string) => escapes[escape]));
          for (const email of accepted) {
            const written = email.includes('@') && ascii(line).includes(ascii(email));
            // Or both spellings decomposed (a mark after the email composes with its last letter in the line's spelling).
            const apart = spelledLine.normalize('NFD').includes(spelled(email).normalize('NFD'));
            // Or, beyond ASCII, each run of such characters read as any run (U+FFFD), and a run of the line also as nothing.
            const masked = (text: string): string => text.replace(/[^\x00-\x7f]+/g, '\uFFFD');
            const beyondAscii = /[^\x00-\x7f]/.test(spelled(email)) && masked(spelledLine).includes(masked(spelled(email)));
            const bare = spelledLine.replace(/[^\x00-\x7f]+/g, '').includes(spelled(email));
            if (written || (spelled(email).includes('@') && (spelledLine.includes(spelled(email)) || apart || beyondAscii || bare))) expected.add(JSON.stringify([email, i]));
          }
        });
        expect(new Set([...search.named(accepted)].map((pair) => JSON.stringify(pair)))).toEqual(expected);
      }),
      { seed: SEED, numRuns: 1_000 },
    );
  });

  it('names each email at the latest date of the valid records naming it other than its own writer, however often their text repeats (seeded)', () => {
    // fast-check names the seed of a failure; STEDI_PROPERTY_SEED=<seed> reproduces it.
    const SEED = Number(process.env.STEDI_PROPERTY_SEED ?? Math.floor(Math.random() * 2 ** 31));
    const accepted = ['ann@t.com', 'bob@t.com', 'cy@t.com'];
    // A few texts, so that records repeat them, written by a few writers (each an accepted email's spelling) at a few dates.
    const record = fc.record({
      text: fc.constantFrom('{"by":"ann@t.com"}', '{"by":"bob@t.com","cc":"CY@T.COM"}', '{"source":"app"}', '{"all":"ann@t.com bob@t.com cy@t.com"}'),
      writer: fc.constantFrom(...accepted),
      date: fc.integer({ min: 1, max: 6 }),
    });
    const latest = (pairs: Iterable<[string, number | null]>): Record<string, number> => {
      const out: Record<string, number> = {};
      for (const [email, date] of pairs) out[email] = Math.max(out[email] ?? 0, date ?? 0);
      return out;
    };
    fc.assert(
      fc.property(fc.array(record, { maxLength: 12 }), (records) => {
        const search = new NamedAddresses();
        for (const { text, writer, date } of records) search.keep(text, date, writer);
        // Each record searched alone, as if no other repeated its text.
        const alone = records.flatMap(({ text, writer, date }) => {
          const one = new NamedAddresses();
          one.keep(text, date, writer);
          return [...one.named(accepted)];
        });
        expect(latest(search.named(accepted))).toEqual(latest(alone));
      }),
      { seed: SEED, numRuns: 500 },
    );
  });
});
