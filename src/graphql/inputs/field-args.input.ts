import 'reflect-metadata';
import { ArgsType, Field } from 'type-graphql';
import { IsOptional, TextOf1To200, ValidateNested } from './validation-rules';
import { SplitEnum } from '../types/enums.type';
import { ConnectionArgs } from './connection.args';
import { CustomerFilter } from './customer-filter.input';
import { ReadingFilter, TimeRangeFilter } from './reading-filter.input';

/** The arguments of each connection field. */
@ArgsType()
export class CustomersArgs extends ConnectionArgs {
  @IsOptional()
  @ValidateNested()
  @Field(() => CustomerFilter, { nullable: true, description: 'Only the customers matching every field given.' })
  filter?: CustomerFilter | null;
}

@ArgsType()
export class ReadingsArgs extends ConnectionArgs {
  @IsOptional()
  @ValidateNested()
  @Field(() => ReadingFilter, { nullable: true, description: 'Only the readings matching every field given.' })
  filter?: ReadingFilter | null;
}

@ArgsType()
export class CustomerReadingsArgs extends ConnectionArgs {
  @Field(() => TimeRangeFilter, { nullable: true, description: "Only this customer's readings in the time window." })
  filter?: TimeRangeFilter | null;
}

@ArgsType()
export class SamplesArgs extends ConnectionArgs {
  @IsOptional()
  @ValidateNested()
  @Field(() => ReadingFilter, { nullable: true, description: 'Only the rows matching every field given (from and to bound sensorReadingTime).' })
  filter?: ReadingFilter | null;

  @Field(() => SplitEnum, { nullable: true, description: 'Only the customers of this split (whole customers; 80/10/10 by default).' })
  split?: SplitEnum | null;

  @IsOptional()
  @TextOf1To200('splitSeed')
  @Field(() => String, { nullable: true, description: 'Seed of the split assignment, given only with split; "stedi" when omitted. The same seed always gives the same split.' })
  splitSeed?: string | null;
}

@ArgsType()
export class CustomerSamplesArgs extends ConnectionArgs {
  @Field(() => TimeRangeFilter, { nullable: true, description: "Only this customer's rows in the time window (of sensorReadingTime)." })
  filter?: TimeRangeFilter | null;

  @Field(() => SplitEnum, { nullable: true, description: 'Rows only when the customer is in this split.' })
  split?: SplitEnum | null;

  @IsOptional()
  @TextOf1To200('splitSeed')
  @Field(() => String, { nullable: true, description: 'Seed of the split assignment, given only with split; "stedi" when omitted.' })
  splitSeed?: string | null;
}
