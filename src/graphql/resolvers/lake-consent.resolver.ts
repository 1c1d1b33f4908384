import 'reflect-metadata';
import { Ctx, FieldResolver, Int, Resolver, Root } from 'type-graphql';
import type { GraphqlContext } from '../context';
import { Lake } from '../types/lake.type';

/** What the consent registry hides right now, for the lake page and operators. */
@Resolver(() => Lake)
export class LakeConsentResolver {
  @FieldResolver(() => Int, { description: 'Customers the consent registry hides now: no research consent in their latest landing record, or gone from landing.' })
  async hiddenCustomers(@Ctx() ctx: GraphqlContext): Promise<number> {
    return (await ctx.lake.consent()).hiddenEmails.size;
  }

  @FieldResolver(() => Int, {
    description: 'Customers the live version still holds whose consent was withdrawn since it was built: hidden from every answer now, dropped from the zones by the next rebuild.',
  })
  async withdrawnSinceBuild(@Root() lake: Lake, @Ctx() ctx: GraphqlContext): Promise<number> {
    return (await ctx.lake.consent()).exclusionsFor(lake.liveVersion).length;
  }
}
