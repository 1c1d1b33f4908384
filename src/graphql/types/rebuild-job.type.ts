import 'reflect-metadata';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import type { RebuildJob as Job } from '../../rebuild/rebuild-job';
import { ConsentPolicyEnum, RebuildStateEnum, RebuildStepStateEnum } from './enums.type';
import { DateTime, SafeInt } from './scalars';

@ObjectType({ simpleResolvers: true, description: 'One step of a build: a landing source, a table, the checks or the publish.' })
export class RebuildStep {
  @Field(() => String, { description: 'customer_landing … machine_learning_curated, checks, publish.' })
  name!: string;

  @Field(() => String, { description: 'landing, table, checks or publish.' })
  kind!: string;

  @Field(() => RebuildStepStateEnum, { description: 'Where this step is.' })
  state!: RebuildStepStateEnum;

  @Field(() => SafeInt, { nullable: true, description: 'Rows the step produced, once done.' })
  rows!: number | null;
}

@ObjectType({ simpleResolvers: true, description: 'A background rebuild of the zones. Readers keep the previous version until it publishes.' })
export class RebuildJob {
  @Field(() => ID, { description: 'The job id (a UUID), for rebuildJob(id).' })
  id!: string;

  @Field(() => RebuildStateEnum, { description: 'Where the job is.' })
  state!: RebuildStateEnum;

  @Field(() => ConsentPolicyEnum, { description: 'The consent policy it builds with.' })
  consentPolicy!: ConsentPolicyEnum;

  @Field(() => SafeInt, { description: 'When the job was asked for, epoch ms.' })
  createdAt!: number;

  @Field(() => DateTime, { description: 'createdAt as ISO-8601.' })
  createdAtIso!: Date;

  @Field(() => SafeInt, { nullable: true, description: 'When it started building, epoch ms; null while QUEUED.' })
  startedAt!: number | null;

  @Field(() => DateTime, { nullable: true, description: 'startedAt as ISO-8601.' })
  startedAtIso!: Date | null;

  @Field(() => SafeInt, { nullable: true, description: 'When it SUCCEEDED or FAILED, epoch ms; null until then.' })
  finishedAt!: number | null;

  @Field(() => DateTime, { nullable: true, description: 'finishedAt as ISO-8601.' })
  finishedAtIso!: Date | null;

  @Field(() => String, { nullable: true, description: 'The version the build published (once SUCCEEDED).' })
  version!: string | null;

  @Field(() => String, { nullable: true, description: 'Why it FAILED; the server log has the details.' })
  error!: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Set when it SUCCEEDED but versions it expired could not be removed: they stay on disk (perhaps holding customers who withdrew consent) until a build removes them; says which, and the fix.',
  })
  warning!: string | null;

  @Field(() => Int, { description: 'Steps done so far.' })
  completedSteps!: number;

  @Field(() => Int, { description: 'Steps in the whole build.' })
  totalSteps!: number;

  @Field(() => [RebuildStep], { description: 'Every step, in build order, with its state.' })
  steps!: RebuildStep[];

  /** A view of the job as it is now. */
  static from(job: Job): RebuildJob {
    const out = new RebuildJob();
    Object.assign(out, {
      id: job.id,
      state: job.state as RebuildStateEnum,
      consentPolicy: job.consentPolicy as ConsentPolicyEnum,
      createdAt: job.createdAt.getTime(),
      createdAtIso: job.createdAt,
      startedAt: job.startedAt?.getTime() ?? null,
      startedAtIso: job.startedAt,
      finishedAt: job.finishedAt?.getTime() ?? null,
      finishedAtIso: job.finishedAt,
      version: job.version,
      error: job.error,
      warning: job.warning ?? null,
      completedSteps: job.completedSteps,
      totalSteps: job.totalSteps,
      steps: job.steps.map((s) => ({ ...s, state: s.state as RebuildStepStateEnum })),
    });
    return out;
  }
}
