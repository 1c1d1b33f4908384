import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runBin } from './bin-cli';
import { makeTempDir } from './landing-fixture';

/** The JSON report of `stedi build --json` of `landing` into a new lake, through bin/stedi.js (`npm run build` first); the build must succeed. */
export function builtReport(landing: string, ...extra: string[]) {
  const run = runBin(['build', '--landing', landing, '--lake', makeTempDir(), '--json', ...extra]);
  expect(run.status).toBe(0);
  return JSON.parse(run.stdout);
}

/** A line of the quarantine, as a build writes it. */
export interface QuarantineEntry {
  sourceFile: string;
  lineNumber: number;
  reason: string;
  line: string;
}

/** The quarantined lines of one source of a build's report, in order. */
export const quarantineOf = (report: { quarantine: string }, source: string): QuarantineEntry[] =>
  readFileSync(join(report.quarantine, `${source}.ndjson`), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as QuarantineEntry);
