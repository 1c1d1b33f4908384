import 'reflect-metadata';
import { Args, Authorized, Ctx, FieldResolver, Info, Query, Resolver, Root } from 'type-graphql';
import type { GraphQLResolveInfo } from 'graphql';
import type { GraphqlContext } from '../context';
import type { PageConnection } from '../connection';
import { readConnection } from '../connection-reader';
import { stepTrainerDataset } from '../datasets/step-trainer.dataset';
import { ReadingsArgs } from '../inputs/field-args.input';
import { checkTimeRange } from '../pagination';
import { StepTrainerReading } from '../types/step-trainer-reading.type';
import { StepTrainerReadingConnection } from '../types/connections.type';
import { Customer } from '../types/customer.type';

@Resolver(() => StepTrainerReading)
export class StepTrainerReadingResolver {
  @Authorized()
  @Query(() => StepTrainerReadingConnection, { nullable: true, description: 'Trusted step trainer readings, ordered by (serialNumber, sensorReadingTime, distanceFromObject).' })
  stepTrainerReadings(@Args(() => ReadingsArgs) args: ReadingsArgs, @Ctx() ctx: GraphqlContext, @Info() info: GraphQLResolveInfo): Promise<PageConnection<StepTrainerReading>> {
    checkTimeRange(args.filter, 'stepTrainerReadings');
    const f = args.filter ?? {};
    return readConnection(ctx, stepTrainerDataset, args, { serialNumber: f.serialNumber, from: f.from, to: f.to }, 'stepTrainerReadings', info);
  }

  @FieldResolver(() => Customer, { nullable: true, description: 'The customer of this reading (same lake version).' })
  customer(@Root() reading: StepTrainerReading, @Ctx() ctx: GraphqlContext): Customer | null | Promise<Customer | null> {
    return ctx.loaders.customerOf(reading.version, reading.serialNumber);
  }
}
