import 'reflect-metadata';
import { Field, InputType } from 'type-graphql';
import { IsOptional, TextOf1To200 } from './validation-rules';
import { SafeInt } from '../types/scalars';

@InputType({ description: 'Customers by serial number and/or an inclusive registration window (epoch milliseconds).' })
export class CustomerFilter {
  @IsOptional()
  @TextOf1To200('filter.serialNumber')
  @Field(() => String, { nullable: true, description: 'Only the customer with this step trainer serial number (its ASCII case and spaces aside, as the lake tells devices apart).' })
  serialNumber?: string | null;

  @Field(() => SafeInt, { nullable: true, description: 'Registered at or after, epoch ms (a date in seconds, above 0 and below 10^11, is refused).' })
  registeredFrom?: number | null;

  @Field(() => SafeInt, { nullable: true, description: 'Registered at or before, epoch ms (a date in seconds, above 0 and below 10^11, is refused).' })
  registeredTo?: number | null;
}
