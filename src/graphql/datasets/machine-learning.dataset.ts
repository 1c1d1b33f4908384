import { serialAsUuid } from '../engine-columns';
import type { SamplesArgs } from '../inputs/field-args.input';
import { checkTimeRange } from '../pagination';
import { checkSplitSeed } from '../split';
import { formulaSafeSql } from '../spreadsheet-formulas';
import { MachineLearningSample } from '../types/machine-learning-sample.type';
import { type Dataset, type DatasetFilter, col, selectAs } from './dataset';

const M = 'machine_learning_curated';

/** The training set, in the order (serialNumber, sensorReadingTime, x, y, z); its email column is never selected. */
export const SAMPLE_COLUMNS = ['serialNumber', 'sensorReadingTime', 'distanceFromObject', 'x', 'y', 'z'] as const;

export const machineLearningDataset: Dataset<MachineLearningSample> = {
  kind: 'MachineLearningSample',
  from: async (engine, version) => `${await engine.tableRef(M, version)} AS m`,
  select: selectAs('m', M, SAMPLE_COLUMNS),
  // A bulk page reads each serial as a UUID (16 bytes, read in JS), not as a string one native call each.
  columnarSelect: `${serialAsUuid(col('m', M, 'serialNumber'))}, ${selectAs('m', M, SAMPLE_COLUMNS.slice(1))}`,
  key: ['serialNumber', 'sensorReadingTime', 'x', 'y', 'z'].map((name) => ({
    expr: col('m', M, name),
    name,
    type: name === 'serialNumber' ? ('string' as const) : name === 'sensorReadingTime' ? ('integer' as const) : ('number' as const),
  })),
  serialExpr: col('m', M, 'serialNumber'),
  timeExpr: col('m', M, 'sensorReadingTime'),
  fromRow: MachineLearningSample.fromRow,
  pulledWhole: true,
  boundedPages: true,
  storedInKeyOrder: true,
  selectWithoutSerial: selectAs('m', M, SAMPLE_COLUMNS.slice(1)),
  // As MachineLearningSample.fromRow copies them (its ISO twin holds the same epoch milliseconds).
  fieldColumns: { ...Object.fromEntries(SAMPLE_COLUMNS.map((c) => [c, c])), serialNumber: 'serialNumber', sensorReadingTimeIso: 'sensorReadingTime' },
};

/** The training set as a CSV export selects it: serialNumber, its one text column, safe from spreadsheet formulas; same order. */
export const formulaSafeDataset: Dataset<MachineLearningSample> = {
  ...machineLearningDataset,
  select: `${formulaSafeSql(col('m', M, 'serialNumber'))} AS "serialNumber", ${machineLearningDataset.selectWithoutSerial}`,
};

/** The checked filter of a top-level training-set field (rows and columns alike). */
export function trainingSetFilter(args: SamplesArgs, field: string): DatasetFilter {
  checkTimeRange(args.filter, field);
  const f = args.filter ?? {};
  return { serialNumber: f.serialNumber, from: f.from, to: f.to, split: args.split ?? undefined, splitSeed: checkSplitSeed(args.splitSeed, args.split) };
}
