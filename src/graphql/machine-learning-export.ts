import type { SqlValue } from '../../etl/engine/engine';
import type { ConsentSnapshot } from '../consent/consent-snapshot';
import type { Services } from '../services';
import { formulaSafeDataset, machineLearningDataset } from './datasets/machine-learning.dataset';
import { lakeNotBuilt, toStediError } from './error-mapping';
import { allRowsQuery } from './page-query';
import { serialSpellings } from './serial-argument';
import { checkSplit, checkSplitSeed, type SplitName } from './split';

export interface MachineLearningExportOptions {
  split?: SplitName | string;
  splitSeed?: string;
  /** One device, any spelling GraphQL's filter finds it under (serial-argument.ts), and a time window, both ends included. */
  serialNumber?: string;
  from?: number;
  to?: number;
  /** For a CSV: text cells that a spreadsheet would run as a formula get a `'` in front (spreadsheet-formulas.ts). */
  formulaSafeText?: boolean;
}

/**
 * The SELECT behind GET /export/machine_learning_curated: the rows
 * `machineLearningSamples` pages through (live version, consent registry and
 * split applied, same order), columns serialNumber, sensorReadingTime,
 * distanceFromObject, x, y, z and never the email. Bad options are
 * BAD_USER_INPUT; the caller runs the query (engine.exportToFile) and, with
 * the consent snapshot it was made under, checks the rows may still be sent.
 */
export async function machineLearningExportQuery(
  services: Services,
  options: MachineLearningExportOptions,
): Promise<{ sql: string; params: SqlValue[]; version: string; consent: ConsentSnapshot }> {
  const split = checkSplit(options.split);
  const splitSeed = checkSplitSeed(options.splitSeed, split);
  try {
    const manifest = await services.engine.manifest();
    const live = manifest?.versions[0];
    if (!live) throw lakeNotBuilt();
    const version = live.version;
    // Its own exclusion list, as every page's (request-lake.ts): a version just published may hide whom no other does.
    const consent = await services.consent.snapshotFor(version, live.consentPolicy);
    const query = await allRowsQuery({
      engine: services.engine,
      dataset: options.formulaSafeText ? formulaSafeDataset : machineLearningDataset,
      version,
      filter: { split, splitSeed, from: options.from, to: options.to, serialSpellings: options.serialNumber === undefined ? undefined : serialSpellings(options.serialNumber) },
      exclusions: consent.exclusionsFor(version),
      split: services.config.split,
    });
    return { ...query, version, consent };
  } catch (error) {
    throw toStediError(error, services.logger, { export: 'machine_learning_curated' });
  }
}
