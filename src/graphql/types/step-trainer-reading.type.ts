import 'reflect-metadata';
import { Field, ObjectType } from 'type-graphql';
import type { Row } from '../../../etl/engine/engine';
import { DateTime, SafeInt } from './scalars';

@ObjectType({ simpleResolvers: true, description: 'A step trainer distance reading of a consenting customer (step_trainer_trusted).' })
export class StepTrainerReading {
  @Field(() => String, { description: 'The step trainer serial number.' })
  serialNumber!: string;

  @Field(() => SafeInt, { description: 'When the step trainer took this reading, epoch milliseconds.' })
  sensorReadingTime!: number;

  @Field(() => SafeInt, { description: "Distance from the step trainer's sensor to the object in front of it, as the device recorded it." })
  distanceFromObject!: number;

  version!: string;

  @Field(() => DateTime, { description: 'sensorReadingTime as ISO-8601.' })
  // Epoch milliseconds, written as ISO text by the DateTime scalar: a plain property, so a page's executor reads it
  // as it reads the others (a getter is a field resolver, called with its own resolve info per row), and no Date per row.
  sensorReadingTimeIso!: number;

  static fromRow(row: Row, version: string): StepTrainerReading {
    const r = new StepTrainerReading();
    r.serialNumber = row.serialNumber as string;
    r.sensorReadingTime = row.sensorReadingTime as number;
    r.sensorReadingTimeIso = r.sensorReadingTime;
    r.distanceFromObject = row.distanceFromObject as number;
    r.version = version;
    return r;
  }
}
