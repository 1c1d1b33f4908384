import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { createCheckedView, createLandingJsonTable } from '../../../../etl/engine/athena/landing-statements';
import { TABLES, type Source, landingTableOf } from '../../../../etl/tables';
import { AthenaOnDuckDb, hadoopLines } from '../../../helpers/athena-on-duckdb';
import { FakeS3 } from '../../../helpers/fake-s3';
import { type CorpusLine, corpusLine } from '../../../helpers/landing-corpus';
import { makeTempDir } from '../../../helpers/landing-fixture';

/**
 * The Athena landing SQL, run on the stand-in (Trino's JSON functions
 * emulated with Jackson's behaviour), decides every generated line as the
 * landing rules do: accepted or quarantined, the same reason, the same
 * values. The rules are issue 8's (the embedded engine's); the expectation
 * comes from the grammar that wrote each line.
 */

const SEED = Number(process.env.STEDI_FC_SEED ?? Date.now() % 2 ** 31);
const LINES_PER_SOURCE = 1_200;
const MAX_LINE_BYTES = 2_048;
const LOCATION = 's3://example-bucket/stedi/landing/';


interface Decision {
  line: string;
  reason: string | null;
  values: Record<string, unknown>;
}

async function athenaDecisions(source: Source, lines: CorpusLine[]): Promise<Decision[]> {
  const folder = join(makeTempDir(), 'landing');
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'part-0.json'), Buffer.concat(lines.flatMap((l) => [l.bytes, Buffer.from('\n')])));
  const duck = await AthenaOnDuckDb.create(new FakeS3(), { [LOCATION]: folder });
  try {
    for (const sql of ['CREATE DATABASE IF NOT EXISTS `stedi`', createLandingJsonTable('stedi', source, 'v1', LOCATION).sql, createCheckedView('stedi', source, 'v1', MAX_LINE_BYTES).sql]) {
      const outcome = await duck.handler({ id: 'q', sql });
      if (outcome.error) throw new Error(outcome.error.reason);
    }
    const columns = TABLES[landingTableOf(source)].columns;
    // Text as bytes: the DuckDB client drops a leading BOM when it decodes text.
    const reader = await duck.connection.runAndReadAll(
      `SELECT to_base64(encode("line")) AS "line", "reason", ${columns.map((c) => (c.type === 'VARCHAR' ? `to_base64(encode("${c.name}")) AS "${c.name}"` : `"${c.name}"`)).join(', ')} FROM "stedi"."${source}_landing_checked__v1"`,
    );
    const text = (v: unknown): string | null => (v === null ? null : Buffer.from(String(v), 'base64').toString('utf8'));
    return reader.getRowObjectsJS().map((row) => ({
      line: text(row.line)!,
      reason: row.reason === null ? null : String(row.reason),
      values: Object.fromEntries(columns.map((c) => [c.name, c.type === 'VARCHAR' ? text(row[c.name]) : row[c.name] === null ? null : Number(row[c.name])])),
    }));
  } finally {
    duck.close();
  }
}

describe('the Athena landing rules', () => {
  it.each(['customer', 'accelerometer'] as const)('decide every generated %s line as the landing rules do (seeded)', async (source) => {
    const lines = fc.sample(corpusLine({ source, maxLineBytes: MAX_LINE_BYTES }), { seed: SEED, numRuns: LINES_PER_SOURCE });
    const decisions = await athenaDecisions(source, lines);
    const where = `(seed ${SEED}: rerun with STEDI_FC_SEED=${SEED})`;

    // Blank lines are skipped; every other line has exactly one decision, in file order.
    const written = lines.filter((l) => l.expected.kind !== 'blank');
    expect({ where, lines: decisions.length }).toEqual({ where, lines: written.length });
    const mismatches: string[] = [];
    written.forEach((l, i) => {
      const got = decisions[i];
      const expectedLine = hadoopLines(l.bytes)[0] ?? '';
      if (got.line !== expectedLine) mismatches.push(`line ${i + 1}: read ${JSON.stringify(got.line)}, written ${JSON.stringify(expectedLine)}`);
      const e = l.expected;
      if (e.kind === 'accepted') {
        if (got.reason !== null) mismatches.push(`line ${i + 1} ${JSON.stringify(expectedLine)}: quarantined (${got.reason}), expected accepted`);
        else if (JSON.stringify(got.values) !== JSON.stringify(e.values)) mismatches.push(`line ${i + 1}: values ${JSON.stringify(got.values)}, expected ${JSON.stringify(e.values)}`);
      } else if (e.kind === 'quarantined') {
        if (got.reason === null) mismatches.push(`line ${i + 1} ${JSON.stringify(expectedLine)}: accepted, expected quarantined (${e.reason ?? 'any reason'})`);
        else if (e.reason !== undefined && e.reason !== got.reason) mismatches.push(`line ${i + 1} ${JSON.stringify(expectedLine)}: "${got.reason}", expected "${e.reason}"`);
      }
    });
    expect({ where, mismatches: mismatches.slice(0, 20) }).toEqual({ where, mismatches: [] });
    // The corpus exercises every kind of decision.
    const reasons = new Set(decisions.map((d) => d.reason));
    expect(reasons.size).toBeGreaterThan(12);
    expect(lines.filter((l) => l.expected.kind === 'accepted').length).toBeGreaterThan(LINES_PER_SOURCE / 5);
  });

  it('reads a line the way Hadoop splits it: \\n, \\r\\n and also a lone \\r end a line (a difference from the embedded engine)', () => {
    expect(hadoopLines(Buffer.from('a\r\nb\nc\rd'))).toEqual(['a', 'b', 'c', 'd']);
    expect(hadoopLines(Buffer.from([0x7b, 0xff, 0x7d]))).toEqual(['{\uFFFD}']);
  });
});
