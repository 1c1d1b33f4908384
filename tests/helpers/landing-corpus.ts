import { isUtf8 } from 'node:buffer';
import fc from 'fast-check';
import { type Column, type Source, TABLES, landingTableOf } from '../../etl/tables';

/**
 * Hostile landing lines from a grammar, each with the decision the landing
 * rules (issue 8: strict RFC 8259 per line, lines split only on \n) give it:
 * valid records written in many legal ways, each with at most one defect, and
 * random bytes. The expectation comes from the grammar, never from the code
 * under test.
 *
 * Left out, because Athena decides them differently (README, "What differs on
 * Athena"): a lone CR, a literal U+FFFD, nesting deeper than 64 levels, and
 * duplicate keys or non-finite numbers inside undeclared nested values.
 */

export type Expected =
  | { kind: 'blank' }
  | { kind: 'accepted'; values: Record<string, string | number | null> }
  /** `reason` undefined: random bytes, only the decision is known. */
  | { kind: 'quarantined'; reason?: string };

export interface CorpusLine {
  /** The bytes written, without the \n (a trailing \r is a Windows line end). */
  bytes: Buffer;
  expected: Expected;
}

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

const SAFE = Number.MAX_SAFE_INTEGER;
const text = fc.string({ unit: 'grapheme', maxLength: 12 }).filter((s) => !/[\uFFFD\uFEFF]/.test(s));
// A customer's serialNumber: visible ASCII only (quote and backslash among them, so JSON escapes them).
const visibleText = fc.string({ unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 12 });
const whole = fc.integer({ min: -SAFE, max: SAFE });
// A customer date is epoch milliseconds: 10^11 (1973-03-03) or later; below it, a date in seconds (README, landing rules).
const LEAST_DATE = 100_000_000_000;
const date = fc.oneof(fc.integer({ min: LEAST_DATE, max: SAFE }), fc.constantFrom(LEAST_DATE, 1_655_000_000_000));
const inSeconds = fc.oneof(fc.integer({ min: -SAFE, max: LEAST_DATE - 1 }), fc.integer({ min: 0, max: 2_000_000_000 }), fc.constant(LEAST_DATE - 1)).map(String);

/** A valid value for a declared column, and the JSON text that spells it (whole numbers also as 1.0 or 1e3). */
function columnValue(column: Column): fc.Arbitrary<{ value: string | number; json: string }> {
  if (column.type === 'VARCHAR') return (column.visibleAscii ? visibleText : text).map((value) => ({ value, json: JSON.stringify(value) }));
  if (column.type === 'DOUBLE') return fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }).map((value) => ({ value: value === 0 ? 0 : value, json: JSON.stringify(value) }));
  return fc.tuple(column.epochMs ? date : whole, fc.constantFrom('plain', 'fraction-zero', 'exponent')).map(([value, spelling]) => {
    if (spelling === 'fraction-zero') return { value, json: `${value}.0` };
    if (spelling === 'exponent' && value !== 0 && Number.isSafeInteger(value / 1000)) return { value, json: `${value / 1000}e3` };
    return { value, json: String(value) };
  });
}

/** A JSON text that is not a valid value of `column`, with the reason the rules give. */
function wrongValue(column: Column): fc.Arbitrary<{ json: string; reason: string }> {
  const must = { VARCHAR: 'a string', BIGINT: 'a whole number', DOUBLE: 'a number' }[column.type];
  const got = (what: string) => `field "${column.name}" must be ${must}, got ${what}`;
  const options: fc.Arbitrary<{ json: string; reason: string }>[] = [
    fc.constantFrom('true', 'false').map((json) => ({ json, reason: got('a boolean') })),
    fc.constant({ json: '{"a": 1}', reason: got('an object') }),
    fc.constant({ json: '[1, "x"]', reason: got('an array') }),
    fc.constantFrom('NaN', 'Infinity', '-Infinity').map((json) => ({ json, reason: 'NaN or Infinity is not JSON' })),
    fc.constantFrom('1e309', '-2e400').map((json) => ({ json, reason: 'number out of range' })),
  ];
  if (column.type === 'VARCHAR') {
    options.push(fc.integer().map((n) => ({ json: String(n), reason: got('a number') })));
    options.push(fc.constantFrom('"\\ud800"', '"a\\udc00b"', '"\\ud83d\\u0041"').map((json) => ({ json, reason: 'unpaired surrogate escape in a string' })));
    // One byte over the limit, in ASCII, in two-byte characters (half as many) and written as escapes.
    const max = column.maxBytes;
    if (max !== undefined) {
      const over = ['s'.repeat(max + 1), 'é'.repeat(max / 2 + 1)].map((s) => JSON.stringify(s)).concat(`"${'\\u00e9'.repeat(max / 2 + 1)}"`);
      options.push(fc.constantFrom(...over).map((json) => ({ json, reason: `field "${column.name}" is longer than ${max} bytes` })));
    }
    // Anything outside visible ASCII, as written or as an escape: a space, controls, invisible marks, tags, letters.
    if (column.visibleAscii) {
      const invisible = fc.oneof(
        text.filter((t) => /[^!-~]/.test(t)).map((t) => JSON.stringify(t)),
        fc.constantFrom('" s-1"', '"s-1\\t"', '"s\\u0000-1"', '"s-1\u007f"', '"s\\u2061-1"', '"s-\u{e0041}1"', '"S-\u3164\u034f1"', '"s-1\\uFEFF"', '"\u00e9"'),
      );
      options.push(invisible.map((json) => ({ json, reason: `field "${column.name}" must be visible ASCII, without spaces, controls, invisible or non-ASCII characters` })));
    }
  }
  else options.push(text.map((s) => ({ json: JSON.stringify(s), reason: got('a string') })));
  if (column.type === 'BIGINT') {
    options.push(fc.constantFrom('1.5', '-0.25', '1655000000000.5').map((json) => ({ json, reason: got('a fraction') })));
    options.push(fc.constantFrom('9007199254740992', '-9007199254740993', '100000000000000000000').map((json) => ({ json, reason: `field "${column.name}" is outside ±(2^53 - 1)` })));
  }
  if (column.epochMs) {
    // Written in seconds (also as 1.656e9 or 1656000000.0), zero or negative: before 1973-03-03 in milliseconds.
    const seconds = fc.oneof(inSeconds, fc.constantFrom('1.656e9', '1656000000.0', '9.9999999999e10', '-0', '0'));
    options.push(seconds.map((json) => ({ json, reason: `field "${column.name}" is below 10^11: a date in seconds, not epoch milliseconds` })));
  }
  return fc.oneof(...options);
}

interface DrawnRecord {
  entries: [string, string][];
  values: { [name: string]: string | number | null };
}

/** A valid record: every required column, some optional ones (or null), some undeclared fields, in any order. */
function validRecord(columns: readonly Column[]): fc.Arbitrary<DrawnRecord> {
  const fields = columns.map((c) =>
    c.required
      ? columnValue(c).map((v) => ({ name: c.name, ...v }))
      : fc.option(fc.oneof(columnValue(c), fc.constant({ value: null, json: 'null' })), { nil: undefined }).map((v) => (v ? { name: c.name, ...v } : undefined)),
  );
  const extra = fc.uniqueArray(fc.tuple(fc.constantFrom('note', 'source', 'nested', 'list'), fc.jsonValue({ maxDepth: 3 })), { selector: ([k]) => k, maxLength: 2 });
  return fc.tuple(fc.tuple(...fields), extra, fc.integer()).map(([present, extras, order]) => {
    const values: DrawnRecord['values'] = Object.fromEntries(columns.map((c) => [c.name, null]));
    const entries: [string, string][] = [];
    for (const f of present) {
      if (!f) continue;
      values[f.name] = f.value;
      entries.push([f.name, f.json]);
    }
    for (const [k, v] of extras) entries.push([k, JSON.stringify(v as Json)]);
    // A stable shuffle from the drawn integer: producers write keys in any order.
    if (order % 3 === 0) entries.reverse();
    return { entries, values };
  });
}

const render = (entries: [string, string][], space: string): string => `{${entries.map(([k, v]) => `${space}${JSON.stringify(k)}${space}:${space}${v}`).join(',')}${space}}`;

/** Defects that replace or add one field. */
function fieldDefect(columns: readonly Column[]): fc.Arbitrary<(r: DrawnRecord) => { entries: [string, string][]; reason: string }> {
  const required = columns.filter((c) => c.required);
  return fc.oneof(
    fc.constantFrom(...required).map((c) => (r: DrawnRecord) => ({ entries: r.entries.filter(([k]) => k !== c.name), reason: `missing required field "${c.name}"` })),
    fc.constantFrom(...required).map((c) => (r: DrawnRecord) => ({ entries: r.entries.map(([k, v]): [string, string] => (k === c.name ? [k, 'null'] : [k, v])), reason: `missing required field "${c.name}"` })),
    // Moved into a nested object: the field is still missing, whatever the nested copy holds.
    fc.constantFrom(...required).map((c) => (r: DrawnRecord) => {
      const moved = r.entries.find(([k]) => k === c.name)!;
      return { entries: [...r.entries.filter(([k]) => k !== c.name && k !== 'meta'), ['meta', `{${JSON.stringify(c.name)}:${moved[1]}}`] as [string, string]], reason: `missing required field "${c.name}"` };
    }),
    fc.constantFrom(...columns).chain((c) =>
      wrongValue(c).map((wrong) => (r: DrawnRecord) => ({ entries: [...r.entries.filter(([k]) => k !== c.name), [c.name, wrong.json] as [string, string]], reason: wrong.reason })),
    ),
    fc.constantFrom(...required).map((c) => (r: DrawnRecord) => {
      const original = r.entries.find(([k]) => k === c.name)!;
      return { entries: [original, ...r.entries], reason: `duplicate key "${c.name}"` };
    }),
    fc.constant((r: DrawnRecord) => ({ entries: [['extra', '1'] as [string, string], ['extra', '2'] as [string, string], ...r.entries.filter(([k]) => k !== 'extra')], reason: 'duplicate key' })),
  );
}

/** Defects of the line as a whole, given the valid line's text. */
const lineDefects: fc.Arbitrary<(line: string) => { text: string; reason: string } | undefined>[] = [
  fc.constantFrom('{"a":1}', ' 5', 'x', '\u0001garbage', '}', ' []').map((tail) => (line: string) => ({ text: `${line}${tail}`, reason: 'text after the JSON value' })),
  fc.constant((line: string) => ({ text: `\uFEFF${line}`, reason: 'starts with a byte order mark' })),
  // The email key spelled with escapes, on a line quarantined for its tail: doubt must still read it.
  fc.constant((line: string) => (line.includes('"email"') ? { text: `${line.replace('"email"', '"\\u0065m\\u0061il"')} x`, reason: 'text after the JSON value' } : undefined)),
  fc.constantFrom('[1, 2]', '"a string"', '42', 'true', 'null').map((text) => () => ({ text, reason: 'not a JSON object' })),
  fc.constantFrom("{'a': 1}", '{"a": 1,}', '{a: 1}', '// note', '{"a": 01}', '{"a": .5}', '{"a": +1}', '{"a" 1}', '').map((text) => () => (text ? { text, reason: 'malformed JSON' } : undefined)),
  fc.nat().map((at) => (line: string) => {
    // Cut short: never a complete value.
    const cut = line.slice(0, 1 + (at % (line.length - 1)));
    // A cut through a surrogate pair would write U+FFFD, which Athena reads as invalid UTF-8.
    return cut.trim() === '' || /\p{Cs}/u.test(cut) ? undefined : { text: cut, reason: 'malformed JSON' };
  }),
  fc.constantFrom('\u0001', '\u001f', '\u0000').map((control) => (line: string) => {
    // Just inside a string value: after a key of letters (a quote before letters cannot close a string), its colon and the opening quote.
    const key = /"[A-Za-z]+" ?: ?"/.exec(line);
    const at = key ? key.index + key[0].length : -1;
    return at < 0 ? undefined : { text: `${line.slice(0, at)}${control}${line.slice(at)}`, reason: 'control character inside a string' };
  }),
];

export interface CorpusOptions {
  source: Source;
  maxLineBytes: number;
}

export function corpusLine(options: CorpusOptions): fc.Arbitrary<CorpusLine> {
  const columns = TABLES[landingTableOf(options.source)].columns;
  const utf8 = (s: string): Buffer => Buffer.from(s, 'utf8');
  const valid = fc.tuple(validRecord(columns), fc.constantFrom('', ' ')).map(([r, space]) => ({ r, line: render(r.entries, space) }));
  const accepted = valid.map(({ r, line }): CorpusLine => ({ bytes: utf8(line), expected: { kind: 'accepted', values: r.values } }));
  const withFieldDefect = fc.tuple(valid, fieldDefect(columns)).map(([{ r }, defect]): CorpusLine => {
    const { entries, reason } = defect(r);
    return { bytes: utf8(render(entries, '')), expected: { kind: 'quarantined', reason } };
  });
  const withLineDefect = fc.tuple(valid, fc.oneof(...lineDefects)).map(([{ line }, defect]): CorpusLine | undefined => {
    const d = defect(line);
    return d && { bytes: utf8(d.text), expected: { kind: 'quarantined', reason: d.reason } };
  });
  const invalidUtf8 = fc.tuple(valid, fc.constantFrom([0xff], [0xc3], [0xe2, 0x82], [0xed, 0xa0, 0x80])).map(([{ line }, bad]): CorpusLine => {
    const bytes = utf8(line);
    const at = bytes.indexOf('":"') + 3;
    return { bytes: Buffer.concat([bytes.subarray(0, at), Buffer.from(bad), bytes.subarray(at)]), expected: { kind: 'quarantined', reason: 'invalid UTF-8' } };
  });
  const tooLong = valid.map(({ line }): CorpusLine => ({
    bytes: utf8(line.replace('{', `{"padding":"${'p'.repeat(options.maxLineBytes)}",`)),
    expected: { kind: 'quarantined', reason: `line longer than ${options.maxLineBytes} bytes` },
  }));
  const blank = fc.array(fc.constantFrom(' ', '\t'), { maxLength: 40 }).map((chars): CorpusLine => ({ bytes: utf8(chars.join('')), expected: { kind: 'blank' } }));
  const randomBytes = fc.uint8Array({ minLength: 1, maxLength: 60 }).map((raw): CorpusLine | undefined => {
    const bytes = Buffer.from(raw.filter((b) => b !== 0x0a && b !== 0x0d));
    if (/^[ \t]*$/.test(bytes.toString('latin1'))) return { bytes, expected: { kind: 'blank' } };
    if (!isUtf8(bytes)) return { bytes, expected: { kind: 'quarantined' } };
    // Random bytes that happen to be a valid line (or hold U+FFFD or a BOM) say nothing: left out.
    const decoded = bytes.toString('utf8');
    if (decoded.includes('\uFFFD') || decoded.includes('\uFEFF')) return undefined;
    try {
      JSON.parse(decoded);
      return undefined;
    } catch {
      return { bytes, expected: { kind: 'quarantined' } };
    }
  });
  const line = fc.oneof(
    { arbitrary: accepted, weight: 8 },
    { arbitrary: withFieldDefect, weight: 6 },
    { arbitrary: withLineDefect, weight: 5 },
    { arbitrary: invalidUtf8, weight: 1 },
    { arbitrary: tooLong, weight: 1 },
    { arbitrary: blank, weight: 1 },
    { arbitrary: randomBytes, weight: 2 },
  );
  // One line in five ends the Windows way.
  return fc.tuple(line, fc.nat(4)).filter(([l]) => l !== undefined).map(([l, crlf]) => (crlf === 0 ? { ...l!, bytes: Buffer.concat([l!.bytes, Buffer.from('\r')]) } : l!));
}
