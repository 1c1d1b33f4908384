import 'reflect-metadata';
import { Field, ObjectType } from 'type-graphql';
import { SafeInt } from './scalars';

@ObjectType({ simpleResolvers: true, description: 'Why landing lines were quarantined, and how many: the reason text only, never line content.' })
export class QuarantineReason {
  @Field(() => String, { description: 'The reason, as the build wrote it beside each quarantined line (it names declared fields only).' })
  reason!: string;

  @Field(() => SafeInt, { description: 'Quarantined lines with this reason.' })
  count!: number;
}
