import type { LandingCount } from '../../manifest';
import { ReasonCounts } from '../../landing/reason-counts';
import { type Source, landingTableOf } from '../../tables';
import type { Row } from '../engine';
import type { BuildRelations } from './build-relations';
import { createConsentUncertainView } from './consent-uncertain-statements';
import { countLanding, countQuarantineReasons, createCheckedView, createLandingJsonTable, createLandingView, createQuarantine } from './landing-statements';
import { type CatalogObject, consentUncertainName, landingCheckedName, landingJsonName, quarantineName, versionedName } from './object-names';
import type { AthenaLayout } from './s3-location';
import { type Statement, countRows, qualified } from './statements';

/** What loading one landing source needs of the build running it. */
export interface LandingLoad {
  database: string;
  layout: AthenaLayout;
  version: string;
  maxLineBytes?: number;
  relations: BuildRelations;
  /** Runs a statement creating `object`, recorded so a failed build drops it. */
  create(object: CatalogObject, statement: Statement): Promise<void>;
  select(statement: Statement): Promise<Row[]>;
}

const count = (value: unknown): number => Number(value ?? 0);

/**
 * One source's landing on Athena: the raw lines as a table, the checked view
 * (each line's verdict under the landing rules), the accepted rows as the
 * landing view, the quarantined lines written out, and their counts.
 */
export async function loadLandingSource(load: LandingLoad, source: Source): Promise<LandingCount> {
  const { database, layout, version } = load;
  const table = landingTableOf(source);
  await load.create({ name: landingJsonName(source, version), kind: 'table' }, createLandingJsonTable(database, source, version, layout.landingPrefix(source)));
  await load.create({ name: landingCheckedName(source, version), kind: 'view' }, createCheckedView(database, source, version, load.maxLineBytes));
  await load.create({ name: versionedName(table, version), kind: 'view' }, createLandingView(database, source, version));
  const [counts] = await load.select(countLanding(database, source, version));
  // 0 = 0 + 0 passes every check: without this an empty or mistyped prefix would publish an empty lake. (A dry run counts nothing.)
  if (counts && count(counts.lines) - count(counts.blank) === 0) {
    throw new Error(`the landing prefix ${layout.landingPrefix(source)} holds no ${source} records (0 non-blank lines): upload the data there, or point --landing / STEDI_LANDING at the prefix holding ${source}/landing/`);
  }
  const quarantine = quarantineName(source, version);
  await load.create({ name: quarantine, kind: 'table' }, createQuarantine(database, source, version, layout.quarantinePrefix(version, source)));
  const reasons = new ReasonCounts();
  for (const row of await load.select(countQuarantineReasons(database, source, version))) {
    reasons.add(String(row.reason), count(row.lines));
    reasons.addFiles(String(row.reason), count(row.files));
  }
  const quarantineReasons = reasons.list();
  const quarantined = quarantineReasons.reduce((sum, r) => sum + r.count, 0);
  const tally = { lines: count(counts?.lines), accepted: count(counts?.accepted), quarantined, blank: count(counts?.blank), quarantineReasons };
  if (source !== 'customer') {
    load.relations.add(table, qualified(database, versionedName(table, version)));
    return tally;
  }
  const uncertain = consentUncertainName(version);
  await load.create({ name: uncertain, kind: 'view' }, createConsentUncertainView(database, version));
  const [doubt] = await load.select(countRows(database, uncertain, 'uncertain'));
  load.relations.addConsentUncertain(qualified(database, uncertain));
  load.relations.add(table, qualified(database, versionedName(table, version)));
  return { ...tally, uncertain: count(doubt?.uncertain) };
}
