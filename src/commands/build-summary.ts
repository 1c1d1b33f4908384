import type { BuildReport } from '../../etl/build-report';
import { SOURCES, TABLES, TABLE_NAMES } from '../../etl/tables';
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
  if (report.ambiguousSerials > 0) lines.push(`Devices claimed by two customers (their readings left out): ${formatRows(report.ambiguousSerials)}`);
  return `${lines.join('\n')}\n`;
}
