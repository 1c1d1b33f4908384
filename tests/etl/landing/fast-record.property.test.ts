import fc from 'fast-check';
import { FastRecord } from '../../../etl/landing/fast-record';
import { type FieldValue, RecordSchema, parseRecord } from '../../../etl/landing/strict-record';
import { TABLES } from '../../../etl/tables';

/**
 * The fast path for the common landing line may decline any line, but a line
 * it accepts the strict parser must accept too, with the very same values.
 * Lines are generated near the common shape, where the two could disagree,
 * and read from their bytes inside a larger buffer, several with one reader
 * (it keeps each column's previous string).
 * Reproduce a failure with STEDI_PROPERTY_SEED=<seed printed below>.
 */

const SEED = Number(process.env.STEDI_PROPERTY_SEED ?? Math.floor(Math.random() * 2 ** 31));
const SCHEMAS = (['customer_landing', 'accelerometer_landing', 'step_trainer_landing'] as const).map((t) => new RecordSchema(TABLES[t].columns));

const numberText = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
  fc.integer({ min: -(2 ** 53) - 5, max: 2 ** 53 + 5 }).map(String),
  fc.bigInt({ min: -(10n ** 25n), max: 10n ** 25n }).map(String),
  // Around the exact path's limit of 15 significant digits, where a sloppier reading would round differently.
  fc.tuple(fc.array(fc.constantFrom(...'0123456789'), { minLength: 1, maxLength: 10 }), fc.array(fc.constantFrom(...'0123456789'), { minLength: 5, maxLength: 12 })).map(([a, b]) => `${a.join('').replace(/^0+(?=.)/, '')}.${b.join('')}`),
  fc.tuple(fc.integer({ min: -999999, max: 999999 }), fc.array(fc.constantFrom(...'0123456789'), { maxLength: 25 })).map(([a, b]) => `${a}.${b.join('')}`),
  fc.constantFrom('0', '-0', '0.0', '-0.0', '1.0', '0.05', '00', '01', '-', '1.', '.5', '1e3', '1E3', '1e-2', '-1.5e+2', '1.0e0', '999999999999999', '9999999999999999', '123456789012345.6', '0.0000000000000000000001', '0.00000000000000000000001', '2.2250738585072014e-308'),
  // Around the least customer date (10^11 ms; below it, a date in seconds).
  fc.constantFrom('99999999999', '100000000000', '99999999999.0', '100000000001', '1656000000', '1655000000000'),
);
const stringText = fc.oneof(
  fc.string({ maxLength: 12 }).map((s) => JSON.stringify(s)),
  fc.string({ unit: 'binary', maxLength: 8 }).map((s) => `"${s}"`),
  fc.constantFrom('"ann@t.com"', '"a\\"b"', '"a\\u0041"', '"\\ud800"', '"tab\there"', '"é"', '""', '"s-1'),
  // Around the serialNumber limit (200 bytes): at it, one over, and over in two-byte characters.
  fc.constantFrom(200, 201).map((n) => JSON.stringify('s'.repeat(n))),
  fc.constantFrom(100, 101).map((n) => JSON.stringify('é'.repeat(n))),
);
const valueText = fc.oneof({ weight: 3, arbitrary: numberText }, { weight: 3, arbitrary: stringText }, fc.constantFrom('null', 'true', 'false', '{}', '[]', 'nul', 'NaN', '{"a":1}'));
/** A value the field accepts, as producers write it (a customer date: epoch milliseconds, 10^11 or later; a customer's serial: visible ASCII). */
const goodValue = (type: string, date = false, visible = false): fc.Arbitrary<string> =>
  type === 'VARCHAR'
    ? fc.array(fc.constantFrom(...(visible ? 'abXYZ019.@-~' : 'abXYZ019.@ -é')), { minLength: 1, maxLength: 20 }).map((a) => JSON.stringify(a.join('')))
    : type === 'BIGINT'
      ? fc.integer({ min: date ? 1e11 : -(2 ** 45), max: 2 ** 45 }).map(String)
      : fc.tuple(fc.integer({ min: -99, max: 99 }), fc.integer({ min: 0, max: 999 })).map(([a, b]) => `${a}.${b}`);
const valueFor = (type: string, date: boolean, visible: boolean): fc.Arbitrary<string> =>
  fc.oneof({ weight: 6, arbitrary: goodValue(type, date, visible) }, { weight: 2, arbitrary: type === 'VARCHAR' ? stringText : numberText }, { weight: 1, arbitrary: valueText });
// A customer date just either side of 10^11, in seconds, zero or negative: only 10^11 and later may be taken.
const nearLeastDate = fc.oneof(fc.integer({ min: 1e11 - 5, max: 1e11 + 5 }), fc.integer({ min: 0, max: 2e9 }), fc.integer({ min: -(2 ** 45), max: 0 })).map(String);
const space = fc.oneof({ weight: 8, arbitrary: fc.constant('') }, { weight: 1, arbitrary: fc.constantFrom(' ', '  ', '\t', '\r') });

/** A line shaped like a landing record of `schema`, with its keys, values, spacing and ending varied. */
const lineFor = (schema: RecordSchema): fc.Arbitrary<string> =>
  fc
    .record({
      values: fc.tuple(...schema.types.map((type, k) => valueFor(type, schema.columns[k].epochMs === true, schema.columns[k].visibleAscii === true))),
      keep: fc.tuple(...schema.names.map(() => fc.oneof({ weight: 9, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }))),
      spaces: fc.array(space, { minLength: 8, maxLength: 8 }),
      extra: fc.oneof({ weight: 6, arbitrary: fc.constant('') }, { weight: 1, arbitrary: fc.constantFrom(',"extra":1', `,"${schema.names[0]}":null`) }),
      swap: fc.oneof({ weight: 9, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
      tail: fc.oneof({ weight: 6, arbitrary: fc.constant('') }, { weight: 1, arbitrary: fc.constantFrom(' ', '\r', 'x', '}', '\u0001') }),
      cut: fc.option(fc.nat({ max: 200 }), { freq: 8 }),
    })
    .map(({ values, keep, spaces, extra, swap, tail, cut }) => {
      const [a, b, c, d] = spaces;
      const fields = schema.names.map((name, k) => `${a}"${name}"${b}:${c}${values[k]}`).filter((_, k) => keep[k] || k < 2);
      if (swap && fields.length > 1) [fields[0], fields[1]] = [fields[1], fields[0]];
      const line = `{${fields.join(`${d},`)}${extra}${a}}${tail}`;
      return cut === null ? line : line.slice(0, cut);
    });

/** A valid record of the common shape, as producers write it. */
const commonLine = (schema: RecordSchema): fc.Arbitrary<string> =>
  fc
    .tuple(
      ...schema.types.map((type, k) => goodValue(type, schema.columns[k].epochMs === true, schema.columns[k].visibleAscii === true)),
    )
    .map((values) => `{${schema.names.map((n, k) => `"${n}":${values[k]}`).join(',')}}`);

describe('the fast path for common landing lines', () => {
  beforeAll(() => {
    process.stdout.write(`fast-record property test: seed ${SEED} (STEDI_PROPERTY_SEED=${SEED} reproduces it)\n`);
  });

  it('accepts only lines the strict parser accepts, with the same values, whatever the lines before', () => {
    let accepted = 0;
    const line = (k: number): fc.Arbitrary<string> => fc.oneof({ weight: 3, arbitrary: lineFor(SCHEMAS[k]) }, { weight: 1, arbitrary: commonLine(SCHEMAS[k]) });
    fc.assert(
      fc.property(
        fc.nat({ max: SCHEMAS.length - 1 }).chain((k) => fc.tuple(fc.constant(k), fc.array(line(k), { minLength: 1, maxLength: 12 }), fc.constantFrom('', '\n', '{"', ' ', 'é'))),
        ([k, lines, around]) => {
          const schema = SCHEMAS[k];
          const reader = new FastRecord(schema);
          for (const text of lines) {
            const bytes = Buffer.from(`${around}${text}\n${around}`);
            const start = Buffer.byteLength(around);
            const fast: FieldValue[] = new Array(schema.names.length).fill('unset');
            const strict: FieldValue[] = new Array(schema.names.length).fill('unset');
            if (!reader.read(bytes, start, start + Buffer.byteLength(text), fast)) continue;
            accepted += 1;
            expect(parseRecord(text, 0, text.length, schema, strict)).toBeNull();
            fast.forEach((value, c) => expect(Object.is(value, strict[c])).toBe(true));
          }
        },
      ),
      { seed: SEED, numRuns: 1500 },
    );
    // The grammar reaches the fast path's acceptances, not only its refusals: 1261 to 1411 of them in trials of 9 seeds.
    expect(accepted).toBeGreaterThan(500);
  });

  it('takes the common shape itself in ASCII, so the strict parser sees the rest only', () => {
    fc.assert(
      fc.property(fc.nat({ max: SCHEMAS.length - 1 }).chain((k) => fc.tuple(fc.constant(k), commonLine(SCHEMAS[k]).filter((l) => /^[\x20-\x7e]*$/.test(l)))), ([k, line]) => {
        const values: FieldValue[] = [];
        expect(new FastRecord(SCHEMAS[k]).read(Buffer.from(line), 0, line.length, values)).toBe(true);
        expect(values).toEqual(Object.values(JSON.parse(line)));
      }),
      { seed: SEED, numRuns: 500 },
    );
  });

  it('gives each row its own values when a string repeats, changes or keeps its length', () => {
    const schema = SCHEMAS[0];
    const reader = new FastRecord(schema);
    const values: FieldValue[] = [];
    for (const name of ['Ann', 'Ann', 'Bob', 'Bob', 'Ann', 'An', 'Annie']) {
      const line = `{"customerName": "${name}", "email": "${name}@t.com", "phone": "1", "birthDay": "1990-01-01", "serialNumber": "s-1", "registrationDate": 1650000000000, "lastUpdateDate": 1655000000002, "shareWithResearchAsOfDate": 1655000000003, "shareWithPublicAsOfDate": null, "shareWithFriendsAsOfDate": 100000000000}`;
      expect(reader.read(Buffer.from(line), 0, line.length, values)).toBe(true);
      expect(values).toEqual(Object.values(JSON.parse(line)));
    }
    // Not ASCII: declined, for the strict parser to decide.
    const accented = '{"customerName": "Zoë", "email": "z@t.com", "phone": "1", "birthDay": "1990-01-01", "serialNumber": "s-1", "registrationDate": 1650000000000, "lastUpdateDate": 1655000000002, "shareWithResearchAsOfDate": 1655000000003}';
    expect(reader.read(Buffer.from(accented), 0, Buffer.byteLength(accented), values)).toBe(false);
  });

  it('declines a customer date below 10^11 (in seconds), which the strict parser quarantines, and takes one from 10^11', () => {
    const schema = SCHEMAS[0];
    const dates = schema.columns.flatMap((c, k) => (c.epochMs ? [k] : []));
    // The other fields ASCII strings and valid dates, so the date alone decides.
    const others = fc.tuple(...schema.types.map((type, k) => (type === 'VARCHAR' ? fc.constantFrom('"Ann"', '"s-1"', '"ann@t.com"') : goodValue(type, schema.columns[k].epochMs === true))));
    let taken = 0;
    fc.assert(
      fc.property(others, fc.constantFrom(...dates), nearLeastDate, (values, k, date) => {
        const line = `{${schema.names.map((n, c) => `"${n}":${c === k ? date : values[c]}`).join(',')}}`;
        const fast: FieldValue[] = [];
        const strict: FieldValue[] = [];
        const read = new FastRecord(schema).read(Buffer.from(line), 0, Buffer.byteLength(line), fast);
        const reason = parseRecord(line, 0, line.length, schema, strict);
        expect(reason).toBe(Number(date) < 1e11 ? `field "${schema.names[k]}" is below 10^11: a date in seconds, not epoch milliseconds` : null);
        // A line of the common shape the strict parser accepts is taken by the fast path, with the same values.
        expect(read).toBe(reason === null);
        if (read) {
          taken += 1;
          expect(fast).toEqual(strict);
        }
      }),
      { seed: SEED, numRuns: 500 },
    );
    expect(taken).toBeGreaterThan(10);
  });

  it('declines a customer serialNumber holding a space or DEL, which the strict parser quarantines, and takes one of visible ASCII', () => {
    const schema = SCHEMAS[0];
    const reader = new FastRecord(schema);
    const line = (serial: string): string =>
      `{"customerName":"Ann","email":"ann@t.com","phone":"1","birthDay":"1990-01-01","serialNumber":${JSON.stringify(serial)},"registrationDate":1650000000000,"lastUpdateDate":1655000000002,"shareWithResearchAsOfDate":1655000000003}`;
    // The previous value of the column first: a serial that starts alike must still be read to its end.
    for (const [serial, reason] of [
      ['s-1', null],
      ['s-1 ', 'field "serialNumber" must be visible ASCII, without spaces, controls, invisible or non-ASCII characters'],
      [' s-1', 'field "serialNumber" must be visible ASCII, without spaces, controls, invisible or non-ASCII characters'],
      ['s-\u007f1', 'field "serialNumber" must be visible ASCII, without spaces, controls, invisible or non-ASCII characters'],
      ['~!s-1', null],
    ] as const) {
      const text = line(serial);
      const strict: FieldValue[] = [];
      expect(parseRecord(text, 0, text.length, schema, strict)).toBe(reason);
      expect(reader.read(Buffer.from(text), 0, Buffer.byteLength(text), [])).toBe(reason === null);
    }
  });

  it('reads a line in the pass that finds its end exactly as it reads the line once its end is known', () => {
    let accepted = 0;
    // Common lines with what may follow the object on its line: JSON whitespace (taken) or anything else (declined).
    const tailed = (k: number): fc.Arbitrary<string> => fc.tuple(commonLine(SCHEMAS[k]), fc.constantFrom('', ' ', '\t', '\r', ' \t\r ', 'x', '\u0001', ',')).map(([text, tail]) => text + tail);
    const line = (k: number): fc.Arbitrary<string> => fc.oneof({ weight: 3, arbitrary: lineFor(SCHEMAS[k]) }, { weight: 2, arbitrary: tailed(k) }, { weight: 1, arbitrary: fc.constantFrom('', ' ', '\r') });
    fc.assert(
      fc.property(
        fc.nat({ max: SCHEMAS.length - 1 }).chain((k) => fc.tuple(fc.constant(k), fc.array(fc.tuple(line(k).filter((text) => !text.includes('\n')), fc.constantFrom('\n', '\r\n')), { minLength: 1, maxLength: 12 }))),
        ([k, lines]) => {
          const schema = SCHEMAS[k];
          // A block of whole lines as the reader sees one: no line end after the last.
          const block = Buffer.from(lines.map(([text, eol], j) => (j < lines.length - 1 ? text + eol : text)).join(''));
          const inPass = new FastRecord(schema);
          const known = new FastRecord(schema);
          let start = 0;
          for (const [text, eol] of lines) {
            const end = start + Buffer.byteLength(text) + (eol === '\r\n' && start + Buffer.byteLength(text) < block.length ? 1 : 0);
            const lineEnd = Math.min(end, block.length);
            let stop = lineEnd;
            if (stop > start && block[stop - 1] === 0x0d) stop -= 1;
            const fast: FieldValue[] = new Array(schema.names.length).fill('unset');
            const expected: FieldValue[] = new Array(schema.names.length).fill('unset');
            const read = known.read(block, start, stop, expected);
            expect(inPass.readLine(block, start, block.length, fast)).toBe(read ? lineEnd : -1);
            if (read) {
              accepted += 1;
              fast.forEach((value, c) => expect(Object.is(value, expected[c])).toBe(true));
            }
            start = lineEnd + 1;
          }
        },
      ),
      { seed: SEED, numRuns: 1500 },
    );
    // The grammar reaches the fast path's acceptances: 947 to 1135 of them in trials of 16 seeds.
    expect(accepted).toBeGreaterThan(500);
  });

  it('reads a line inside a larger buffer only up to its end', () => {
    const reader = new FastRecord(SCHEMAS[2]);
    const text = Buffer.from('{"sensorReadingTime":1,"serialNumber":"s-1","distanceFromObject":7}\n{"x":1}');
    expect(reader.read(text, 0, text.indexOf('\n'), [])).toBe(true);
    expect(reader.read(text, 0, text.indexOf('\n') - 1, [])).toBe(false);
    expect(reader.read(Buffer.from('{"sensorReadingTime":1,"serialNumber":"s-1","distanceFromObject":7'), 0, 66, [])).toBe(false);
  });
});
