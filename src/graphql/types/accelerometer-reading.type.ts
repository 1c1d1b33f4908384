import 'reflect-metadata';
import { Field, Float, ObjectType } from 'type-graphql';
import type { Row } from '../../../etl/engine/engine';
import { DateTime, SafeInt } from './scalars';

/** A trusted phone accelerometer reading, keyed by its customer's serialNumber (never the email). */
@ObjectType({ simpleResolvers: true, description: 'A phone accelerometer reading of a consenting customer (accelerometer_trusted).' })
export class AccelerometerReading {
  @Field(() => String, { description: "The customer's step trainer serial number." })
  serialNumber!: string;

  @Field(() => SafeInt, { description: 'When the phone took this reading, epoch milliseconds.' })
  timestamp!: number;

  @Field(() => Float, { description: "Acceleration along the phone's x axis, as the phone recorded it." })
  x!: number;

  @Field(() => Float, { description: "Acceleration along the phone's y axis, as the phone recorded it." })
  y!: number;

  @Field(() => Float, { description: "Acceleration along the phone's z axis, as the phone recorded it." })
  z!: number;

  version!: string;

  @Field(() => DateTime, { description: 'timestamp as ISO-8601.' })
  // Epoch milliseconds, written as ISO text by the DateTime scalar: a plain property, so a page's executor reads it
  // as it reads the others (a getter is a field resolver, called with its own resolve info per row), and no Date per row.
  timestampIso!: number;

  static fromRow(row: Row, version: string): AccelerometerReading {
    const r = new AccelerometerReading();
    r.serialNumber = row.serialNumber as string;
    r.timestamp = row.timestamp as number;
    r.timestampIso = r.timestamp;
    r.x = row.x as number;
    r.y = row.y as number;
    r.z = row.z as number;
    r.version = version;
    return r;
  }
}
