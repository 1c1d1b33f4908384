import 'reflect-metadata';
import { Arg, Authorized, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { ErrorCode, StediError } from '../../errors';
import type { GraphqlContext } from '../context';
import { ConsentPolicyEnum } from '../types/enums.type';
import { RebuildJob } from '../types/rebuild-job.type';

// Job ids are UUIDs (rebuild-jobs.ts). Any other id is not echoed: a megabyte of it came back in the answer and its log line.
const JOB_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const NOT_A_JOB_ID = 'no rebuild job has that id: a job id is a UUID, as rebuildZones and rebuildJobs answer it';

/** Background rebuilds; admin only. */
@Resolver(() => RebuildJob)
export class RebuildResolver {
  @Authorized('admin')
  @Mutation(() => RebuildJob, {
    description: 'Starts rebuilding every zone from the landing data in the background and returns the job at once; while one runs, returns that one (refused when asked for another consentPolicy than it builds). Readers keep the previous version until the new one publishes.',
  })
  async rebuildZones(
    @Arg('consentPolicy', () => ConsentPolicyEnum, { nullable: true, description: "Defaults to the live version's policy." }) consentPolicy: ConsentPolicyEnum | null,
    @Ctx() ctx: GraphqlContext,
  ): Promise<RebuildJob> {
    const { config } = ctx.services;
    // Published, an `any` version would serve nobody on this server and be rebuilt under `as-of` at once (hidden-sets.ts).
    if (consentPolicy === ConsentPolicyEnum.ANY && config.consentPolicyGiven && config.consentPolicy === 'as-of') {
      throw new StediError(ErrorCode.BAD_USER_INPUT, 'this server serves consentPolicy AS_OF (STEDI_CONSENT_POLICY=as-of): ask for AS_OF or no consentPolicy, or restart it under any to build ANY');
    }
    const job = await ctx.services.rebuilds.start(consentPolicy ?? undefined);
    // A running build is returned as it is: asked for the other policy, answering it would say an `as-of` lake is on its way while an `any` one is built.
    if (consentPolicy && job.consentPolicy !== consentPolicy) {
      const [asked, running] = [consentPolicy, job.consentPolicy].map((p) => (p === ConsentPolicyEnum.AS_OF ? 'AS_OF' : 'ANY'));
      // Not bad input: the same request succeeds once that build ends (a conflict of the moment, as HTTP's 409).
      throw new StediError(ErrorCode.REBUILD_IN_PROGRESS, `a rebuild under consentPolicy ${running} is running (job ${job.id}); ask for ${asked} again once rebuildJob says it has finished`);
    }
    ctx.services.logger.info({ requestId: ctx.requestId, keyId: ctx.principal?.keyId, rebuildJob: job.id }, 'rebuildZones requested');
    return RebuildJob.from(job);
  }

  @Authorized('admin')
  @Query(() => RebuildJob, { description: 'A rebuild job by id (the last 20 are kept in memory).' })
  rebuildJob(@Arg('id', () => ID, { description: 'The id rebuildZones or rebuildJobs answered.' }) id: string, @Ctx() ctx: GraphqlContext): RebuildJob {
    const job = ctx.services.rebuilds.get(id);
    if (!job) throw new StediError(ErrorCode.NOT_FOUND, JOB_ID.test(id) ? `no rebuild job ${id}; only the last 20 jobs since the server started are kept` : NOT_A_JOB_ID);
    return RebuildJob.from(job);
  }

  @Authorized('admin')
  @Query(() => [RebuildJob], { description: 'Recent rebuild jobs, newest first.' })
  rebuildJobs(@Ctx() ctx: GraphqlContext): RebuildJob[] {
    return ctx.services.rebuilds.list().map((job) => RebuildJob.from(job));
  }
}
