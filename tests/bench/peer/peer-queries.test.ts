import { peerCursorFor } from '../../../bench/peer/peer-queries';

describe('a PostGraphile cursor for a chosen row', () => {
  const sample = Buffer.from(JSON.stringify(['primary_key_asc', ['a-serial', '1655564444103', 0.5, -1, 2]])).toString('base64');

  it('keeps the order name of a real cursor and puts in the chosen key', () => {
    const cursor = peerCursorFor(sample, ['b-serial', '1655564444999', 1.25, 0, -3]);
    expect(JSON.parse(Buffer.from(cursor, 'base64').toString('utf8'))).toEqual(['primary_key_asc', ['b-serial', '1655564444999', 1.25, 0, -3]]);
  });

  it('fails loudly when the cursor format is not the expected one', () => {
    expect(() => peerCursorFor(Buffer.from('["natural",1]').toString('base64'), ['x'])).toThrow(/unexpected PostGraphile cursor/);
    expect(() => peerCursorFor(sample, ['only-one'])).toThrow(/unexpected PostGraphile cursor/);
  });
});
