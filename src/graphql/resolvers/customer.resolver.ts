import 'reflect-metadata';
import { Arg, Args, Authorized, Ctx, FieldResolver, Info, Query, Resolver, Root } from 'type-graphql';
import { badInput } from '../../errors';
import type { GraphQLResolveInfo } from 'graphql';
import type { GraphqlContext } from '../context';
import type { PageConnection } from '../connection';
import { readConnection, readNestedConnection } from '../connection-reader';
import { accelerometerDataset } from '../datasets/accelerometer.dataset';
import { customerDataset } from '../datasets/customer.dataset';
import { machineLearningDataset } from '../datasets/machine-learning.dataset';
import { stepTrainerDataset } from '../datasets/step-trainer.dataset';
import { CustomerReadingsArgs, CustomerSamplesArgs, CustomersArgs } from '../inputs/field-args.input';
import { checkTimeRange } from '../pagination';
import { serialSpellings } from '../serial-argument';
import { checkSplitSeed } from '../split';
import type { AccelerometerReading } from '../types/accelerometer-reading.type';
import {
  AccelerometerReadingConnection,
  CustomerConnection,
  MachineLearningSampleConnection,
  StepTrainerReadingConnection,
} from '../types/connections.type';
import { Customer } from '../types/customer.type';
import type { MachineLearningSample } from '../types/machine-learning-sample.type';
import type { StepTrainerReading } from '../types/step-trainer-reading.type';

/** Customers and their nested readings; each nested level is one batched query. */
@Resolver(() => Customer)
export class CustomerResolver {
  @Authorized()
  @Query(() => CustomerConnection, { nullable: true, description: 'Consenting customers with readings, ordered by serialNumber.' })
  customers(@Args(() => CustomersArgs) args: CustomersArgs, @Ctx() ctx: GraphqlContext, @Info() info: GraphQLResolveInfo): Promise<PageConnection<Customer>> {
    const f = args.filter ?? {};
    checkTimeRange({ from: f.registeredFrom, to: f.registeredTo }, 'customers', { from: 'registeredFrom', to: 'registeredTo' });
    return readConnection(ctx, customerDataset, args, { serialNumber: f.serialNumber, from: f.registeredFrom, to: f.registeredTo }, 'customers', info);
  }

  @Authorized()
  @Query(() => Customer, { nullable: true, description: 'One customer of the live version; null when absent or not (any longer) consenting.' })
  async customer(@Arg('serialNumber', () => String, { description: 'The step trainer serial number, 1 to 200 characters; its ASCII case and spaces aside, as the lake tells devices apart.' }) serialNumber: string, @Ctx() ctx: GraphqlContext): Promise<Customer | null> {
    if (serialNumber.length === 0 || serialNumber.length > 200) throw badInput(`serialNumber must be 1 to 200 characters; received ${serialNumber.length} characters`);
    const customers = ctx.loaders.customer(await ctx.lake.liveVersion());
    // The serial as typed first (one lookup, as before); then as the device rule spells it (serial-argument.ts).
    const found = await customers.load(serialNumber);
    if (found) return found;
    const others = serialSpellings(serialNumber).filter((spelling) => spelling !== serialNumber);
    return (await Promise.all(others.map((spelling) => customers.load(spelling)))).find((c) => c != null) ?? null;
  }

  @FieldResolver(() => AccelerometerReadingConnection, { nullable: true, description: "This customer's accelerometer readings in time order." })
  accelerometerReadings(@Root() customer: Customer, @Args(() => CustomerReadingsArgs) args: CustomerReadingsArgs, @Ctx() ctx: GraphqlContext): Promise<PageConnection<AccelerometerReading>> {
    const field = 'Customer.accelerometerReadings';
    checkTimeRange(args.filter, field);
    return readNestedConnection(ctx, accelerometerDataset, customer, args, { from: args.filter?.from, to: args.filter?.to }, field);
  }

  @FieldResolver(() => StepTrainerReadingConnection, { nullable: true, description: "This customer's step trainer readings in time order." })
  stepTrainerReadings(@Root() customer: Customer, @Args(() => CustomerReadingsArgs) args: CustomerReadingsArgs, @Ctx() ctx: GraphqlContext): Promise<PageConnection<StepTrainerReading>> {
    const field = 'Customer.stepTrainerReadings';
    checkTimeRange(args.filter, field);
    return readNestedConnection(ctx, stepTrainerDataset, customer, args, { from: args.filter?.from, to: args.filter?.to }, field);
  }

  @FieldResolver(() => MachineLearningSampleConnection, { nullable: true, description: "This customer's training rows (none when a split is given that the customer is not in)." })
  machineLearningSamples(@Root() customer: Customer, @Args(() => CustomerSamplesArgs) args: CustomerSamplesArgs, @Ctx() ctx: GraphqlContext): Promise<PageConnection<MachineLearningSample>> {
    const field = 'Customer.machineLearningSamples';
    checkTimeRange(args.filter, field);
    const filter = { from: args.filter?.from, to: args.filter?.to, split: args.split ?? undefined, splitSeed: checkSplitSeed(args.splitSeed, args.split) };
    return readNestedConnection(ctx, machineLearningDataset, customer, args, filter, field);
  }
}
