import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * The landing reader parses whole blocks of a file (up to 4 MiB) and its
 * values are slices of them. A server keeps the customers it read for consent
 * as long as it runs: neither the parser's state nor those values may keep a
 * block alive (each worker held its customer landing file this way).
 */

const ROOT = resolve(__dirname, '..', '..', '..');

/** Runs `script` in a fresh Node on the compiled dist/ (needs `npm run build`), then returns the sizes of the blocks (strings over 1 MB starting with the customer line) its heap still holds. */
function bigStringsAfter(script: string): number[] {
  const file = join(tmpdir(), `stedi-retained-${process.pid}-${Date.now()}.heapsnapshot`);
  const code = `${script}; require('node:v8').writeHeapSnapshot(${JSON.stringify(file)});`;
  const run = spawnSync(process.execPath, ['-e', code], { cwd: join(ROOT, 'dist'), encoding: 'utf8' });
  if (run.status !== 0) throw new Error(run.stderr);
  try {
    const snapshot = JSON.parse(readFileSync(file, 'utf8')) as { snapshot: { meta: { node_fields: string[]; node_types: [string[]] } }; nodes: number[]; strings: string[] };
    const { node_fields: fields, node_types: [types] } = snapshot.snapshot.meta;
    const [type, size, name] = [fields.indexOf('type'), fields.indexOf('self_size'), fields.indexOf('name')];
    const sizes: number[] = [];
    for (let i = 0; i < snapshot.nodes.length; i += fields.length) {
      const text = snapshot.strings[snapshot.nodes[i + name]!]!;
      if (types[snapshot.nodes[i + type]!] === 'string' && snapshot.nodes[i + size]! > 1_000_000 && text.startsWith('{"customerName"')) sizes.push(snapshot.nodes[i + size]!);
    }
    return sizes;
  } finally {
    rmSync(file, { force: true });
  }
}

// A block of 2 MiB made at run time: one customer line (an escape sends it to the strict parser), then filler.
const BLOCK = `
  const { TABLES } = require('./etl/tables.js');
  const columns = TABLES.customer_landing.columns;
  const line = '{"customerName": "Ann", "email": "ann\\\\u0040example.com", "phone": "1", "birthDay": "1990-01-01", "serialNumber": "serial-0123456789", "registrationDate": 1650000000001, "lastUpdateDate": 1655000000002, "shareWithResearchAsOfDate": 1655000000003, "shareWithPublicAsOfDate": null, "shareWithFriendsAsOfDate": null}';
  let block = line + '\\n' + 'x'.repeat(2 * 1024 * 1024 + Math.floor(Math.random() * 10));
`;

describe('text the landing reader leaves behind', () => {
  it('is not held by the strict parser once a line is parsed', () => {
    const sizes = bigStringsAfter(`${BLOCK}
      const { RecordSchema, parseRecord } = require('./etl/landing/strict-record.js');
      const out = new Array(columns.length).fill(null);
      if (parseRecord(block, 0, line.length, new RecordSchema(columns), out) !== null) throw new Error('the line was refused');
      // The values read are slices of the block: dropped here, so only what the parser itself keeps remains.
      out.fill(null);
      block = null;`);
    expect(sizes).toEqual([]);
  });

  it("is not held by the customers a consent decision keeps (their emails and serials are copies, not slices of the block)", () => {
    const sizes = bigStringsAfter(`${BLOCK}
      const { RecordSchema, parseRecord } = require('./etl/landing/strict-record.js');
      const { toCustomerRecord } = require('./src/consent/landing-consent.js');
      const plain = line.replace('ann\\\\u0040example.com', 'ann@example.com');
      block = plain + block.slice(line.length);
      const out = new Array(columns.length).fill(null);
      // Without escapes, the strict parser's values are slices of the block (the fast path's are copies of its bytes).
      if (parseRecord(block, 0, plain.length, new RecordSchema(columns), out) !== null) throw new Error('the line was refused');
      globalThis.kept = toCustomerRecord(out);
      if (globalThis.kept.serialNumber !== 'serial-0123456789' || globalThis.kept.email !== 'ann@example.com') throw new Error('wrong values');
      out.fill(null);
      block = null;`);
    expect(sizes).toEqual([]);
  });
});
