import { NamedAddresses } from '../../../etl/landing/named-addresses';

/** The address search of doubt hides: every accepted email a bad line holds, and what happens past its budget. */

const named = (search: NamedAddresses, accepted: string[]): Array<[string, number | null]> => [...search.named(accepted)].sort();

describe('the addresses a bad line names', () => {
  it('finds an accepted email anywhere in a line, in either ASCII case, and only accepted ones', () => {
    const search = new NamedAddresses();
    search.keep('x=Ann@T.com&y=2 zed@t.com', 5);
    search.keep('no address here', 6);
    expect(named(search, ['ann@t.com', 'bob@t.com', 'not-an-address'])).toEqual([['ann@t.com', 5]]);
  });

  it('tells two emails apart that share a local part or where one ends inside the other', () => {
    const search = new NamedAddresses();
    search.keep('mail ann@t.com.au and bo@x.org', null);
    expect(named(search, ['ann@t.com', 'ann@t.com.au', 'ann@u.com', 'bo@x.org', 'b@x.org'])).toEqual([
      ['ann@t.com', null],
      ['ann@t.com.au', null],
      ['bo@x.org', null],
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
});
