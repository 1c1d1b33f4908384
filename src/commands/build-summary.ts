import type { BuildReport } from '../../etl/build-report';
import { SOURCES, TABLES, TABLE_NAMES } from '../../etl/tables';
import { COMPRESSED_REASON_PREFIX, REASONS } from '../../etl/landing/landing-rules';
import type { QuarantineReasonCount } from '../../etl/manifest';
import { printablePath } from './printable-text';

const formatRows = (n: number): string => n.toLocaleString('en-US');

/** The human-readable end of `stedi build`: one line per table, then what was quarantined. */
export function formatBuildSummary(report: BuildReport): string {
  const width = Math.max(...TABLE_NAMES.map((t) => t.length));
  const lines = [
    `Built version ${report.version} (${report.engine}, consent policy ${report.consentPolicy}) in ${(report.durationMs / 1000).toFixed(2)} s`,
    '',
    `${'table'.padEnd(width)}  ${'zone'.padEnd(7)}  ${'rows'.padStart(12)}`,
    ...TABLE_NAMES.map((t) => `${t.padEnd(width)}  ${TABLES[t].zone.padEnd(7)}  ${formatRows(report.tables[t].rows).padStart(12)}`),
    '',
  ];
  const quarantined = SOURCES.filter((s) => report.quarantined[s] > 0);
  if (quarantined.length === 0) lines.push('No landing lines were quarantined.');
  else {
    lines.push(`Quarantined landing lines (see ${printablePath(report.quarantine)}):`);
    for (const s of quarantined) lines.push(`  ${s}: ${formatRows(report.quarantined[s])}`);
  }
  if (report.consentUncertain > 0) lines.push(`Consent uncertain (hidden until their quarantined line is fixed or a newer record arrives): ${formatRows(report.consentUncertain)} customers`);
  lines.push(...landingFileAdvice(report));
  if (report.ambiguousSerials > 0) lines.push(`Devices claimed by two customers (their readings left out): ${formatRows(report.ambiguousSerials)}`);
  return `${lines.join('\n')}\n`;
}

/**
 * What to do about landing files saved compressed under a .json name, or as UTF-16: their lines are quarantined unread
 * (each with reason `compressed file (gzip)`, or `saved as UTF-16, not UTF-8`), counted once per file, and a compressed
 * customer file hides every customer, so "Consent uncertain" alone left the operator to search the quarantine for why.
 */
export function landingFileAdvice(report: Pick<BuildReport, 'quarantineReasons'>): string[] {
  return SOURCES.flatMap((source) => {
    const reasons = report.quarantineReasons[source];
    const compressed = reasons.filter((r) => r.reason.startsWith(COMPRESSED_REASON_PREFIX));
    const formats = compressed.map((r) => r.reason.slice(COMPRESSED_REASON_PREFIX.length, -1)).join(', ');
    const everyCustomer = source === 'customer' ? ", and every customer's consent is uncertain" : '';
    return [
      ...fileAdvice(source, compressed, (held) => `${held('compressed file')} (${formats})`, (each) => `decompress ${each} under its .json name`, everyCustomer),
      ...fileAdvice(source, reasons.filter((r) => r.reason === REASONS.utf16), (held) => `${held('file')} saved as UTF-16`, (each) => `save ${each} as UTF-8 under its .json name`),
    ];
  });
}

/** The advice for the files `reasons` (reasons a file's start gives) are in: what they are, the fix for each, what waits. */
function fileAdvice(source: string, reasons: QuarantineReasonCount[], what: (held: (noun: string) => string) => string, fix: (each: string) => string, waiting = ''): string[] {
  if (reasons.length === 0) return [];
  // Every bad line of such a file carries its reason; a manifest of an older build counted its first line alone.
  const files = reasons.reduce((sum, r) => sum + (r.files ?? r.count), 0);
  const held = (noun: string): string => (files === 1 ? `a ${noun}` : `${formatRows(files)} ${noun}s`);
  const [it, each] = files === 1 ? ['it', 'it'] : ['them', 'each'];
  return [`${source}/landing/ holds ${what(held)}: ${fix(each)} and build again (the quarantine names ${it} as sourceFile); until then no record in ${it} is read${waiting}`];
}
