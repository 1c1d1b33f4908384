import 'reflect-metadata';
import { Authorized, Field, ObjectType } from 'type-graphql';
import type { Row } from '../../../etl/engine/engine';
import { DateTime, SafeInt, isoOf } from './scalars';

const PERSONAL = 'Personal data: needs an API key with the admin role (an analyst gets a FORBIDDEN error on this field).';

/** A customer of the curated zone (consenting, with readings), as of one lake version. */
@ObjectType({ description: 'A customer who consented to research use and has readings (customer_curated). Personal fields need the admin role.' })
export class Customer {
  @Field(() => String, { description: 'The step trainer serial number; the customer key exposed to every role.' })
  serialNumber!: string;

  @Authorized('admin')
  @Field(() => String, { nullable: true, description: `The customer's name. ${PERSONAL}` })
  customerName!: string | null;

  @Authorized('admin')
  @Field(() => String, { nullable: true, description: `The customer's email, as their landing record wrote it. ${PERSONAL}` })
  email!: string | null;

  @Authorized('admin')
  @Field(() => String, { nullable: true, description: `The customer's phone number, as text as their landing record wrote it. ${PERSONAL}` })
  phone!: string | null;

  // Text, not a DateTime: the landing record's date alone (1508-01-01 in the STEDI data), with no time or zone to it.
  @Authorized('admin')
  @Field(() => String, { nullable: true, description: `The customer's date of birth as their landing record wrote it (YYYY-MM-DD in the STEDI data). ${PERSONAL}` })
  birthDay!: string | null;

  @Field(() => SafeInt, { description: 'When the customer registered, epoch milliseconds.' })
  registrationDate!: number;

  @Field(() => SafeInt, { description: 'Epoch milliseconds of the record this version was built from.' })
  lastUpdateDate!: number;

  // Never null: a customer without it withholds consent and is in no zone past landing (customer_trusted.sql).
  @Field(() => SafeInt, { description: 'Since when the customer allows research use of their readings, epoch milliseconds (every customer served has it).' })
  shareWithResearchAsOfDate!: number;

  @Field(() => SafeInt, { nullable: true, description: 'Since when the customer shares with the public, epoch milliseconds; null when they do not.' })
  shareWithPublicAsOfDate!: number | null;

  @Field(() => SafeInt, { nullable: true, description: 'Since when the customer shares with friends, epoch milliseconds; null when they do not.' })
  shareWithFriendsAsOfDate!: number | null;

  /** The lake version this row was read from; nested fields read the same one. Not exposed. */
  version!: string;

  @Field(() => DateTime, { description: 'registrationDate as ISO-8601.' })
  get registrationDateIso(): number | null {
    return isoOf(this.registrationDate);
  }

  @Field(() => DateTime, { description: 'lastUpdateDate as ISO-8601.' })
  get lastUpdateDateIso(): number | null {
    return isoOf(this.lastUpdateDate);
  }

  @Field(() => DateTime, { description: 'shareWithResearchAsOfDate as ISO-8601.' })
  get shareWithResearchAsOfDateIso(): number | null {
    return isoOf(this.shareWithResearchAsOfDate);
  }

  @Field(() => DateTime, { nullable: true, description: 'shareWithPublicAsOfDate as ISO-8601.' })
  get shareWithPublicAsOfDateIso(): number | null {
    return isoOf(this.shareWithPublicAsOfDate);
  }

  @Field(() => DateTime, { nullable: true, description: 'shareWithFriendsAsOfDate as ISO-8601.' })
  get shareWithFriendsAsOfDateIso(): number | null {
    return isoOf(this.shareWithFriendsAsOfDate);
  }

  static fromRow(row: Row, version: string): Customer {
    const c = new Customer();
    c.serialNumber = row.serialNumber as string;
    c.customerName = row.customerName as string | null;
    c.email = row.email as string | null;
    c.phone = row.phone as string | null;
    c.birthDay = row.birthDay as string | null;
    c.registrationDate = row.registrationDate as number;
    c.lastUpdateDate = row.lastUpdateDate as number;
    c.shareWithResearchAsOfDate = row.shareWithResearchAsOfDate as number;
    c.shareWithPublicAsOfDate = row.shareWithPublicAsOfDate as number | null;
    c.shareWithFriendsAsOfDate = row.shareWithFriendsAsOfDate as number | null;
    c.version = version;
    return c;
  }
}
