import 'reflect-metadata';
import { ArgsType, Field, Int } from 'type-graphql';

/** `first`/`after` of every connection; `first` is range-checked against the configured maximum. */
@ArgsType()
export class ConnectionArgs {
  @Field(() => Int, { nullable: true, description: 'Page size: 1 to the configured maximum (10,000 by default); 100 when omitted.' })
  first?: number | null;

  @Field(() => String, { nullable: true, description: 'The endCursor of the previous page of the same field.' })
  after?: string | null;
}
