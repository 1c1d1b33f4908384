import { GetQueryResultsCommand, StartQueryExecutionCommand } from '@aws-sdk/client-athena';
import { convertValue, readResultRows } from '../../../../etl/engine/athena/results';
import { FakeAthena, type QueryOutcome } from '../../../helpers/fake-aws';

async function read(outcome: QueryOutcome) {
  const athena = new FakeAthena(() => outcome);
  await athena.client.send(new StartQueryExecutionCommand({ QueryString: 'SELECT ...' }));
  const rows = await readResultRows(athena.client, { QueryExecutionId: 'q-1', StatementType: outcome.statementType ?? 'DML' });
  return { rows, calls: athena.mock.commandCalls(GetQueryResultsCommand).map((c) => c.args[0].input) };
}

describe('reading Athena query results', () => {
  it('pages with NextToken, 1,000 rows a page, and drops the header row of the first page only', async () => {
    const rows = Array.from({ length: 2_500 }, (_, i) => [`reader${i}@example.com`, String(1_655_564_444_000 + i)]);
    const { rows: all, calls } = await read({ columns: [{ name: 'email', type: 'varchar' }, { name: 'sensorreadingtime', type: 'bigint' }], rows });
    expect(calls.map((c) => [c.MaxResults, c.NextToken])).toEqual([
      [1000, undefined],
      [1000, '1000'],
      [1000, '2000'],
    ]);
    expect(all).toHaveLength(2_500);
    expect(all[0]).toEqual({ email: 'reader0@example.com', sensorReadingTime: 1_655_564_444_000 });
    // The first rows of the second and third pages are data, not headers.
    expect(all[999]).toEqual({ email: 'reader999@example.com', sensorReadingTime: 1_655_564_444_999 });
    expect(all[1999].email).toBe('reader1999@example.com');
    expect(all[2499].email).toBe('reader2499@example.com');
  });

  it('converts every value by its column type, a missing value to null, and names columns as the schema spells them', async () => {
    const columns = [
      { name: 'serialnumber', type: 'varchar' },
      { name: 'distancefromobject', type: 'bigint' },
      { name: 'n', type: 'integer' },
      { name: 'x', type: 'double' },
      { name: 'consents', type: 'boolean' },
      { name: 'day', type: 'date' },
      { name: 'at', type: 'timestamp' },
      { name: 'amount', type: 'decimal' },
    ];
    const { rows } = await read({
      columns,
      rows: [
        ['a-1', '218', '7', '-0.5', 'true', '2022-06-18', '2022-06-18 15:00:44.103', '12.50'],
        [null, null, null, null, null, null, null, null],
        ['', '0', '-3', '1.0E-5', 'false', '1970-01-01', '1970-01-01 00:00:00.000', '0'],
      ],
    });
    expect(rows[0]).toEqual({
      serialNumber: 'a-1',
      distanceFromObject: 218,
      n: 7,
      x: -0.5,
      consents: true,
      day: new Date('2022-06-18T00:00:00.000Z'),
      at: new Date('2022-06-18T15:00:44.103Z'),
      amount: 12.5,
    });
    expect(Object.values(rows[1]).every((v) => v === null)).toBe(true);
    expect(rows[2]).toMatchObject({ serialNumber: '', distanceFromObject: 0, n: -3, x: 0.00001, consents: false });
  });

  it('keeps the first row of a result without a header (a DDL statement)', async () => {
    const { rows } = await read({ statementType: 'DDL', columns: [{ name: 'result', type: 'varchar' }], rows: [['created']] });
    expect(rows).toEqual([{ result: 'created' }]);
  });

  it('leaves values of other types as text', () => {
    expect(convertValue('array(varchar)', '[a, b]')).toBe('[a, b]');
    expect(convertValue('timestamp with time zone', '2022-06-18 15:00:44.103 UTC')).toBe('2022-06-18 15:00:44.103 UTC');
    expect(convertValue('varchar(10)', 'abc')).toBe('abc');
    expect(convertValue('bigint', undefined)).toBeNull();
  });
});
