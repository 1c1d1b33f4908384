import 'reflect-metadata';
import { Field, InputType } from 'type-graphql';
import { IsOptional, TextOf1To200 } from './validation-rules';
import { SafeInt } from '../types/scalars';

@InputType({ description: 'Readings of one customer and/or an inclusive time window (epoch milliseconds).' })
export class ReadingFilter {
  @IsOptional()
  @TextOf1To200('filter.serialNumber')
  @Field(() => String, { nullable: true, description: 'Only the readings of the customer with this step trainer serial number (its ASCII case and spaces aside, as the lake tells devices apart).' })
  serialNumber?: string | null;

  @Field(() => SafeInt, { nullable: true, description: 'Earliest reading time, epoch ms, inclusive (a date in seconds, above 0 and below 10^11, is refused).' })
  from?: number | null;

  @Field(() => SafeInt, { nullable: true, description: 'Latest reading time, epoch ms, inclusive (a date in seconds, above 0 and below 10^11, is refused).' })
  to?: number | null;
}

@InputType({ description: 'An inclusive time window (epoch milliseconds) for the readings of one customer.' })
export class TimeRangeFilter {
  @Field(() => SafeInt, { nullable: true, description: 'Earliest reading time, epoch ms, inclusive (a date in seconds, above 0 and below 10^11, is refused).' })
  from?: number | null;

  @Field(() => SafeInt, { nullable: true, description: 'Latest reading time, epoch ms, inclusive (a date in seconds, above 0 and below 10^11, is refused).' })
  to?: number | null;
}
