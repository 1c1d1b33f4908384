import fc from 'fast-check';
import { shownReason } from '../../../../etl/engine/athena/athena-reason';
import { AthenaQueryError } from '../../../../etl/engine/athena/athena-errors';
import { resolveAthenaOptions } from '../../../../etl/engine/athena/athena-options';

const SEED = Number(process.env.STEDI_PROPERTY_SEED ?? Math.floor(Math.random() * 2 ** 31));

// Messages Athena (Trino, the Hive connector, Java's number parser) gives with the value it failed on.
const VALUE_MESSAGES: Array<(value: string) => string> = [
  (v) => `INVALID_CAST_ARGUMENT: Cannot cast '${v}' to BIGINT`,
  (v) => `INVALID_CAST_ARGUMENT: Cannot cast '${v.replace(/'/g, "''")}' to BIGINT`,
  (v) => `HIVE_BAD_DATA: Error parsing field value '${v}' for field 2: For input string: "${v}"`,
  (v) => `INVALID_FUNCTION_ARGUMENT: Invalid format: "${v}" is malformed at "${v.slice(3)}"`,
  (v) => `line 1:8: Column 'serialnumber' cannot be resolved; value: '${v}`,
];

describe('the Athena failure reason an error shows', () => {
  it('keeps a reason that quotes no value, on one line', () => {
    expect(shownReason('HIVE_CANNOT_OPEN_SPLIT: Error opening Hive split s3://b/stedi/v=1/part-0: NoSuchKey\n\tat x')).toBe(
      'HIVE_CANNOT_OPEN_SPLIT: Error opening Hive split s3://b/stedi/v=1/part-0: NoSuchKey at x',
    );
  });

  it('keeps the names of the tables and columns it says are missing', () => {
    expect(shownReason("TABLE_NOT_FOUND: line 1:22: Table 'awsdatacatalog.stedi.customer_trusted__v1' does not exist")).toBe(
      "TABLE_NOT_FOUND: line 1:22: Table 'awsdatacatalog.stedi.customer_trusted__v1' does not exist",
    );
    expect(shownReason("line 1:8: Column 'nope' cannot be resolved")).toBe("line 1:8: Column 'nope' cannot be resolved");
  });

  it('ends at the first quoted value: an e-mail, a serial number, a customer name never shown', () => {
    expect(shownReason("INVALID_CAST_ARGUMENT: Cannot cast 'ann@example.com' to BIGINT")).toBe("INVALID_CAST_ARGUMENT: Cannot cast '…");
    expect(shownReason('For input string: "Santosh Clayton"')).toBe('For input string: "…');
    // A name-like value after a word that is no object kind is a value.
    expect(shownReason("Cannot cast 'Santosh' to DOUBLE")).toBe("Cannot cast '…");
    // An apostrophe inside a word opens nothing; the value after it is still cut.
    expect(shownReason("value doesn't fit: 'ann@example.com'")).toBe("value doesn't fit: '…");
  });

  it('cuts a long reason to 300 characters and writes control characters as \\xHH', () => {
    const shown = shownReason(`X: ${'a'.repeat(400)}\u001b[2J`);
    expect(shown).toHaveLength(301);
    expect(shownReason('bad \u001b[2J byte')).toBe('bad \\x1b[2J byte');
  });

  it('is what a failed query’s error message carries', () => {
    const error = AthenaQueryError.from({
      QueryExecutionId: 'q-1',
      Status: { State: 'FAILED', StateChangeReason: "INVALID_CAST_ARGUMENT: Cannot cast 'ann@example.com' to BIGINT", AthenaError: { ErrorCategory: 2, ErrorType: 1000, Retryable: false } },
    });
    expect(error.message).toBe("Athena query q-1 failed (USER error 1000): INVALID_CAST_ARGUMENT: Cannot cast '…");
    expect(error.reason).not.toContain('ann@example.com');
  });
});

describe(`the Athena failure reason under generated values (seed ${SEED})`, () => {
  it('shows the same text whatever value a message quotes: quotes, escapes, line ends and all', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 60 }), fc.integer({ min: 0, max: VALUE_MESSAGES.length - 1 }), (value, kind) => {
        expect(shownReason(VALUE_MESSAGES[kind](value))).toBe(shownReason(VALUE_MESSAGES[kind]('x')));
      }),
      { seed: SEED, numRuns: 500 },
    );
  });
});

describe('the Athena engine’s default warning', () => {
  it('is one line on stderr with the error’s message, no stack and no cause', () => {
    const written: string[] = [];
    const write = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => (written.push(String(chunk)), true));
    try {
      const { warn } = resolveAthenaOptions({ lake: 's3://bucket/lake' });
      warn('could not release the build lock', Object.assign(new Error('Access Denied\nsecond line', { cause: new Error('inner') }), { name: 'AccessDenied' }));
    } finally {
      write.mockRestore();
    }
    expect(written).toEqual(['stedi athena: could not release the build lock: AccessDenied: Access Denied\n']);
  });
});
