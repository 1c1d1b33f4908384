import 'reflect-metadata';
import { Args, Authorized, Ctx, FieldResolver, Info, Query, Resolver, Root } from 'type-graphql';
import type { GraphQLResolveInfo } from 'graphql';
import type { GraphqlContext } from '../context';
import type { PageConnection } from '../connection';
import { readConnection } from '../connection-reader';
import { accelerometerDataset } from '../datasets/accelerometer.dataset';
import { ReadingsArgs } from '../inputs/field-args.input';
import { checkTimeRange } from '../pagination';
import { AccelerometerReading } from '../types/accelerometer-reading.type';
import { AccelerometerReadingConnection } from '../types/connections.type';
import { Customer } from '../types/customer.type';

@Resolver(() => AccelerometerReading)
export class AccelerometerReadingResolver {
  @Authorized()
  @Query(() => AccelerometerReadingConnection, { nullable: true, description: 'Trusted accelerometer readings, ordered by (serialNumber, timestamp, x, y, z).' })
  accelerometerReadings(@Args(() => ReadingsArgs) args: ReadingsArgs, @Ctx() ctx: GraphqlContext, @Info() info: GraphQLResolveInfo): Promise<PageConnection<AccelerometerReading>> {
    checkTimeRange(args.filter, 'accelerometerReadings');
    const f = args.filter ?? {};
    return readConnection(ctx, accelerometerDataset, args, { serialNumber: f.serialNumber, from: f.from, to: f.to }, 'accelerometerReadings', info);
  }

  @FieldResolver(() => Customer, { nullable: true, description: 'The customer of this reading (same lake version).' })
  customer(@Root() reading: AccelerometerReading, @Ctx() ctx: GraphqlContext): Customer | null | Promise<Customer | null> {
    return ctx.loaders.customerOf(reading.version, reading.serialNumber);
  }
}
