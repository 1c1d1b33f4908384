import 'reflect-metadata';
import { Field, Float, ObjectType } from 'type-graphql';
import type { Row } from '../../../etl/engine/engine';
import { DateTime, SafeInt } from './scalars';

/** A trusted phone accelerometer reading, keyed by its customer's serialNumber (never the email). */
@ObjectType({ simpleResolvers: true, description: 'A phone accelerometer reading of a consenting customer (accelerometer_trusted).' })
export class AccelerometerReading {
  @Field(() => String, { description: "The customer's step trainer serial number." })
  serialNumber!: string;

  @Field(() => SafeInt, { description: 'Epoch milliseconds.' })
  timestamp!: number;

  @Field(() => Float)
  x!: number;

  @Field(() => Float)
  y!: number;

  @Field(() => Float)
  z!: number;

  version!: string;

  @Field(() => DateTime, { description: 'timestamp as ISO-8601.' })
  get timestampIso(): number {
    // Epoch milliseconds: the DateTime scalar writes them as ISO text, with no Date per row.
    return this.timestamp;
  }

  static fromRow(row: Row, version: string): AccelerometerReading {
    const r = new AccelerometerReading();
    r.serialNumber = row.serialNumber as string;
    r.timestamp = row.timestamp as number;
    r.x = row.x as number;
    r.y = row.y as number;
    r.z = row.z as number;
    r.version = version;
    return r;
  }
}
