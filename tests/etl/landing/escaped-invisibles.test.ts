import { INVISIBLE_RANGES } from '../../../etl/landing/email-spelling';
import { dropEscapedInvisibles } from '../../../etl/landing/escaped-invisibles';

/** The escapes of invisible characters the address search drops from a bad line's text, as Python and JSON write them. */

const listed = INVISIBLE_RANGES.flatMap(([from, to]) => Array.from({ length: to - from + 1 }, (_, i) => from + i));
const hex = (n: number, digits: number): string => n.toString(16).padStart(digits, '0');

describe('the escapes of invisible characters in a bad line', () => {
  it('drops every listed invisible character written \\xNN, \\uNNNN (a surrogate pair beyond the BMP) or \\UNNNNNNNN, in either case of hex', () => {
    for (const c of listed) {
      const forms = [`\\U${hex(c, 8)}`];
      if (c < 0x100) forms.push(`\\x${hex(c, 2)}`);
      if (c < 0x10000) forms.push(`\\u${hex(c, 4)}`);
      else forms.push(`\\u${hex(0xd800 + ((c - 0x10000) >> 10), 4)}\\u${hex(0xdc00 + ((c - 0x10000) & 0x3ff), 4)}`);
      for (const form of forms) {
        expect(dropEscapedInvisibles(`a${form}b`)).toBe('ab');
        expect(dropEscapedInvisibles(`a${form.replace(/[a-f]/g, (h) => h.toUpperCase())}b`)).toBe('ab');
      }
    }
  });

  it('keeps the escapes of visible characters and text that only looks like one', () => {
    for (const text of ['\\u0041', '\\x41', '\\ud83d\\ude00', '\\U0001F600', '\\u20', '\\xa', 'u200b', '\\u2010', '\\X00']) expect(dropEscapedInvisibles(`a${text}b`)).toBe(`a${text}b`);
  });
});
