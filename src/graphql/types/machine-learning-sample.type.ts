import 'reflect-metadata';
import { Field, Float, ObjectType } from 'type-graphql';
import type { Row } from '../../../etl/engine/engine';
import { DateTime, SafeInt } from './scalars';

@ObjectType({
  simpleResolvers: true,
  description: 'One training row (machine_learning_curated): a step trainer reading joined with the same customer\'s accelerometer reading at the same time. No personal fields.',
})
export class MachineLearningSample {
  @Field(() => String, { description: "The customer's step trainer serial number." })
  serialNumber!: string;

  @Field(() => SafeInt, { description: 'When the step trainer took its reading (and the phone the one joined to it), epoch milliseconds.' })
  sensorReadingTime!: number;

  @Field(() => SafeInt, { description: "Distance from the step trainer's sensor to the object in front of it, as the device recorded it." })
  distanceFromObject!: number;

  @Field(() => Float, { description: "Acceleration along the phone's x axis at sensorReadingTime, as the phone recorded it." })
  x!: number;

  @Field(() => Float, { description: "Acceleration along the phone's y axis at sensorReadingTime, as the phone recorded it." })
  y!: number;

  @Field(() => Float, { description: "Acceleration along the phone's z axis at sensorReadingTime, as the phone recorded it." })
  z!: number;

  version!: string;

  @Field(() => DateTime, { description: 'sensorReadingTime as ISO-8601.' })
  // Epoch milliseconds, written as ISO text by the DateTime scalar: a plain property, so a page's executor reads it
  // as it reads the others (a getter is a field resolver, called with its own resolve info per row), and no Date per row.
  sensorReadingTimeIso!: number;

  static fromRow(row: Row, version: string): MachineLearningSample {
    const s = new MachineLearningSample();
    s.serialNumber = row.serialNumber as string;
    s.sensorReadingTime = row.sensorReadingTime as number;
    s.sensorReadingTimeIso = s.sensorReadingTime;
    s.distanceFromObject = row.distanceFromObject as number;
    s.x = row.x as number;
    s.y = row.y as number;
    s.z = row.z as number;
    s.version = version;
    return s;
  }
}
