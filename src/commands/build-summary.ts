import type { BuildReport } from '../../etl/build-report';
import { SOURCES, TABLES, TABLE_NAMES } from '../../etl/tables';
import { COMPRESSED_REASON_PREFIX } from '../../etl/landing/landing-rules';
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
  lines.push(...compressedFileAdvice(report));
  if (report.ambiguousSerials > 0) lines.push(`Devices claimed by two customers (their readings left out): ${formatRows(report.ambiguousSerials)}`);
  return `${lines.join('\n')}\n`;
}

/**
 * What to do about landing files saved compressed under a .json name: their lines are quarantined unread (each with
 * reason `compressed file (gzip)`), counted once per file, and a customer file hides every customer, so "Consent
 * uncertain" alone left the operator to search the quarantine for why.
 */
export function compressedFileAdvice(report: Pick<BuildReport, 'quarantineReasons'>): string[] {
  return SOURCES.flatMap((source) => {
    const reasons = report.quarantineReasons[source].filter((r) => r.reason.startsWith(COMPRESSED_REASON_PREFIX));
    if (reasons.length === 0) return [];
    // Every bad line of such a file carries its reason; a manifest of an older build counted its first line alone.
    const files = reasons.reduce((sum, r) => sum + (r.files ?? r.count), 0);
    const formats = reasons.map((r) => r.reason.slice(COMPRESSED_REASON_PREFIX.length, -1)).join(', ');
    const [it, each] = files === 1 ? ['it', 'it'] : ['them', 'each'];
    const until = `no record in ${it} is read${source === 'customer' ? ", and every customer's consent is uncertain" : ''}`;
    return [
      `${source}/landing/ holds ${files === 1 ? 'a compressed file' : `${formatRows(files)} compressed files`} (${formats}): decompress ${each} under its .json name and build again (the quarantine names ${it} as sourceFile); until then ${until}`,
    ];
  });
}
