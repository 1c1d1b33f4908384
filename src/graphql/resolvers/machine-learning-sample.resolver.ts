import 'reflect-metadata';
import { Args, Authorized, Ctx, FieldResolver, Info, Query, Resolver, Root } from 'type-graphql';
import type { GraphQLResolveInfo } from 'graphql';
import type { GraphqlContext } from '../context';
import type { PageConnection } from '../connection';
import { readConnection } from '../connection-reader';
import { machineLearningDataset, trainingSetFilter } from '../datasets/machine-learning.dataset';
import { SamplesArgs } from '../inputs/field-args.input';
import { MachineLearningSample } from '../types/machine-learning-sample.type';
import { MachineLearningSampleConnection } from '../types/connections.type';
import { Customer } from '../types/customer.type';

@Resolver(() => MachineLearningSample)
export class MachineLearningSampleResolver {
  @Authorized()
  @Query(() => MachineLearningSampleConnection, {
    nullable: true,
    description: 'The training set, ordered by (serialNumber, sensorReadingTime, x, y, z); `split` keeps whole customers of one split.',
  })
  machineLearningSamples(@Args(() => SamplesArgs) args: SamplesArgs, @Ctx() ctx: GraphqlContext, @Info() info: GraphQLResolveInfo): Promise<PageConnection<MachineLearningSample>> {
    return readConnection(ctx, machineLearningDataset, args, trainingSetFilter(args, 'machineLearningSamples'), 'machineLearningSamples', info);
  }

  @FieldResolver(() => Customer, { nullable: true, description: 'The customer of this row (same lake version).' })
  customer(@Root() sample: MachineLearningSample, @Ctx() ctx: GraphqlContext): Customer | null | Promise<Customer | null> {
    return ctx.loaders.customerOf(sample.version, sample.serialNumber);
  }
}
