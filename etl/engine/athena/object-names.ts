import { isVersionId } from '../../version';
import { type BuiltTable, SOURCES, type Source, TABLE_NAMES, type TableName, landingTableOf } from '../../tables';

/**
 * The Glue objects one build version owns. Every name ends in `__<version>`,
 * so a version's objects are found, switched to and dropped by name alone;
 * the live names (`customer_trusted`, ...) are views over the live version.
 */

export type ObjectKind = 'table' | 'view';

export interface CatalogObject {
  name: string;
  kind: ObjectKind;
}

/** `<table>__<version>`: a built table (CTAS) or, for a landing table, the typed view of accepted rows. */
export const versionedName = (table: TableName, version: string): string => `${table}__${version}`;

/** The external table reading a source's landing JSON as text, one column per declared field. */
export const landingJsonName = (source: Source, version: string): string => `${source}_landing_json__${version}`;

/** Every landing record with `$path` and `reason` (null when the record is accepted). */
export const landingCheckedName = (source: Source, version: string): string => `${source}_landing_checked__${version}`;

/** The emails whose consent a quarantined customer line makes uncertain (the zone SQL's `consent_uncertain`). */
export const consentUncertainName = (version: string): string => `consent_uncertain__${version}`;

export const quarantineName = (source: Source, version: string): string => `${source}_quarantine__${version}`;

/** Every object a build of `version` can create, in the order to drop them (dependents first). */
export function versionObjects(version: string, built: readonly BuiltTable[]): CatalogObject[] {
  return [
    ...built.map((table) => ({ name: versionedName(table, version), kind: 'table' as const })),
    { name: consentUncertainName(version), kind: 'view' as const },
    ...SOURCES.flatMap((source) => [
      { name: quarantineName(source, version), kind: 'table' as const },
      { name: versionedName(landingTableOf(source), version), kind: 'view' as const },
      { name: landingCheckedName(source, version), kind: 'view' as const },
      { name: landingJsonName(source, version), kind: 'table' as const },
    ]),
  ];
}

export const LIVE_VIEWS: readonly TableName[] = TABLE_NAMES;

/** The version a catalogue object's name ends in (`<name>__<version>`), if it is one of a version's. */
export function versionOfObject(name: string): string | undefined {
  const at = name.lastIndexOf('__');
  if (at < 0) return undefined;
  const version = name.slice(at + 2);
  return isVersionId(version) ? version : undefined;
}
