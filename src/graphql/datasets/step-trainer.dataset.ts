import { StepTrainerReading } from '../types/step-trainer-reading.type';
import { type Dataset, col, selectAs } from './dataset';

const S = 'step_trainer_trusted';

export const stepTrainerDataset: Dataset<StepTrainerReading> = {
  kind: 'StepTrainerReading',
  from: async (engine, version) => `${await engine.tableRef(S, version)} AS s`,
  select: selectAs('s', S, ['serialNumber', 'sensorReadingTime', 'distanceFromObject']),
  // (serialNumber, sensorReadingTime) is the table's key; the distance makes the order total even if it were not.
  key: [
    { expr: col('s', S, 'serialNumber'), name: 'serialNumber', type: 'string' },
    { expr: col('s', S, 'sensorReadingTime'), name: 'sensorReadingTime', type: 'integer' },
    { expr: col('s', S, 'distanceFromObject'), name: 'distanceFromObject', type: 'integer' },
  ],
  serialExpr: col('s', S, 'serialNumber'),
  timeExpr: col('s', S, 'sensorReadingTime'),
  fromRow: StepTrainerReading.fromRow,
  held: { table: S, timeColumn: 'sensorReadingTime' },
  boundedPages: true,
};
