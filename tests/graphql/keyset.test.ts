import { decodeCursor, encodeCursor } from '../../src/graphql/cursor';
import { keysetAfter } from '../../src/graphql/keyset';

describe('keyset conditions', () => {
  it('writes "after this position" without row-value comparison, one bound value per placeholder', () => {
    const { sql, params } = keysetAfter(['s', 't', 'x'], ['serial-1', 5, 0.5]);
    expect(sql).toBe('s >= ? AND (s > ? OR (s = ? AND (t > ? OR (t = ? AND (x > ?)))))');
    expect(params).toEqual(['serial-1', 'serial-1', 'serial-1', 5, 5, 0.5]);
    expect(sql.split('?').length - 1).toBe(params.length);
  });

  it('writes a one-column key as a range start and one strict comparison', () => {
    expect(keysetAfter(['s'], ['a'])).toEqual({ sql: 's >= ? AND (s > ?)', params: ['a', 'a'] });
  });

  it('refuses a position that does not match the key', () => {
    expect(() => keysetAfter(['s', 't'], ['a'])).toThrow(RangeError);
  });
});

describe('cursors', () => {
  const version = '20261122t032200123z_a1b2';
  const samples = { field: 'machineLearningSamples', filter: [null, null, null], split: null, splitSeed: null };
  const readings = { ...samples, field: 'stepTrainerReadings' };

  it('round-trips kind, version and an exact double position', () => {
    const cursor = encodeCursor('MachineLearningSample', version, ['serial-1', 1655564095826, 0.1 + 0.2, -0, 1e-300], samples);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    const decoded = decodeCursor(cursor, 'MachineLearningSample', ['string', 'integer', 'number', 'number', 'number'], samples);
    expect(decoded).toEqual({ kind: 'MachineLearningSample', version, position: ['serial-1', 1655564095826, 0.1 + 0.2, 0, 1e-300] });
  });

  it.each([
    ['another kind', encodeCursor('Customer', version, ['a'], readings), /issued by another field/],
    ['a version id of the wrong shape', encodeCursor('StepTrainerReading', '../../etc', ['a', 1, 2], readings), /not a cursor this API issued/],
    ['a number where the serial goes', encodeCursor('StepTrainerReading', version, [1, 1, 2], readings), /not a cursor this API issued/],
    ['a string where a time goes', encodeCursor('StepTrainerReading', version, ['a', '1', 2], readings), /not a cursor this API issued/],
    ['a time of 2^63', encodeCursor('StepTrainerReading', version, ['a', 2 ** 63, 2], readings), /not a cursor this API issued/],
    ['a time of -1e308', encodeCursor('StepTrainerReading', version, ['a', -1e308, 2], readings), /not a cursor this API issued/],
    ['a fraction where a whole number goes', encodeCursor('StepTrainerReading', version, ['a', 1.5, 2], readings), /not a cursor this API issued/],
    ['another field of the same kind', encodeCursor('StepTrainerReading', version, ['a', 1, 2], { ...readings, field: 'Customer.stepTrainerReadings' }), /issued by another field/],
    ['another filter', encodeCursor('StepTrainerReading', version, ['a', 1, 2], { ...readings, filter: [null, 5, null] }), /another `filter` argument/],
    ['another split', encodeCursor('StepTrainerReading', version, ['a', 1, 2], { ...readings, split: 'TRAIN', splitSeed: 's' }), /another `split` argument/],
    ['a cursor without arguments (issued before they were bound)', Buffer.from(JSON.stringify({ k: 'StepTrainerReading', v: version, p: ['a', 1, 2] })).toString('base64url'), /not a cursor this API issued/],
    ['too long a text', 'a'.repeat(5000), /not a cursor this API issued/],
    ['a forged kind (never echoed back)', Buffer.from(JSON.stringify({ k: '<img src=x>', v: version, p: ['a', 1, 2], a: [] })).toString('base64url'), /^(?!.*<img)(?=.*issued by another field;)/],
  ])('refuses %s with BAD_USER_INPUT', (_what, text, message) => {
    expect(() => decodeCursor(text, 'StepTrainerReading', ['string', 'integer', 'integer'], readings)).toThrow(
      expect.objectContaining({ code: 'BAD_USER_INPUT', message: expect.stringMatching(message) }),
    );
  });
});
