import 'reflect-metadata';
import { Extensions, Field, Float, Int, ObjectType } from 'type-graphql';
import { COLUMN_LISTS } from '../column-lists';
import { PageInfo } from './connection.type';
import { DateTime, SafeInt } from './scalars';

// Each list is completed as one value by the executor (column-lists.ts).
@Extensions({ [COLUMN_LISTS]: true })
@ObjectType({
  simpleResolvers: true,
  description: 'The fields of a page of training rows, one list per field: row i is index i of every list (`pandas.DataFrame(columns)`).',
})
export class MachineLearningColumns {
  @Field(() => [String], { description: "The customer's step trainer serial number." })
  serialNumber!: string[];

  @Field(() => [SafeInt], { description: 'When the step trainer took its reading (and the phone the one joined to it), epoch milliseconds.' })
  sensorReadingTime!: number[];

  // Made from sensorReadingTime when asked (iso-column.ts): a page that does not ask for it costs nothing more.
  @Field(() => [DateTime], { description: 'sensorReadingTime as ISO-8601, as MachineLearningSample.sensorReadingTimeIso.' })
  sensorReadingTimeIso!: readonly unknown[];

  @Field(() => [SafeInt], { description: "Distance from the step trainer's sensor to the object in front of it, as the device recorded it." })
  distanceFromObject!: number[];

  @Field(() => [Float], { description: "Acceleration along the phone's x axis at sensorReadingTime, as the phone recorded it." })
  x!: number[];

  @Field(() => [Float], { description: "Acceleration along the phone's y axis at sensorReadingTime, as the phone recorded it." })
  y!: number[];

  @Field(() => [Float], { description: "Acceleration along the phone's z axis at sensorReadingTime, as the phone recorded it." })
  z!: number[];
}

@ObjectType({
  simpleResolvers: true,
  description: 'A page of the training set as columns: the same rows, order, consent, splits and cursors as the same page of machineLearningSamples.',
})
export class MachineLearningBatch {
  @Field(() => Int, { description: 'Rows in this page (the length of every column).' })
  rowCount!: number;

  @Field(() => MachineLearningColumns, { description: 'The rows of this page, one list per field.' })
  columns!: MachineLearningColumns;

  @Field(() => PageInfo, { description: 'endCursor is interchangeable with the endCursor of machineLearningSamples.' })
  pageInfo!: PageInfo;

  // The count machineLearningSamples.totalCount answers (one cache, one count per version, consent generation and filter).
  @Field(() => SafeInt, {
    nullable: true,
    description:
      'Rows matching the filter and split (consent applied), in the version the page was read from: the same count as machineLearningSamples.totalCount; null, with an error, when the count failed.',
  })
  totalCount!: number | null;

  // A page resumed from a cursor alone could not tell which version it came from: `lake { liveVersion }` names the live one.
  @Field(() => String, { description: 'The lake version this page was read from: the live one for a first page, else the one its cursor pinned.' })
  lakeVersion!: string;
}
