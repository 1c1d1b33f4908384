import 'reflect-metadata';
import { Args, Authorized, Ctx, Query, Resolver } from 'type-graphql';
import { readColumnarPage } from '../columnar-page-reader';
import type { GraphqlContext } from '../context';
import { machineLearningDataset, SAMPLE_COLUMNS, trainingSetFilter } from '../datasets/machine-learning.dataset';
import { SamplesArgs } from '../inputs/field-args.input';
import { preparedBatchPage } from '../prepared-batch-page';
import { MachineLearningBatch, type MachineLearningColumns } from '../types/machine-learning-batch.type';

@Resolver(() => MachineLearningBatch)
export class MachineLearningBatchResolver {
  @Authorized()
  @Query(() => MachineLearningBatch, {
    // Nullable as the connection fields are: a refused page (a bad cursor, a timeout) leaves the rest of the answer.
    nullable: true,
    description:
      'A page of the training set as columns, for notebooks: the same rows, order, consent, splits and cursors as machineLearningSamples (an endCursor of either continues the other).',
  })
  async machineLearningBatch(@Args(() => SamplesArgs) args: SamplesArgs, @Ctx() ctx: GraphqlContext): Promise<MachineLearningBatch> {
    const filter = trainingSetFilter(args, 'machineLearningBatch');
    // Its cursors are machineLearningSamples' own, so either field continues the other's paging.
    const page =
      (await preparedBatchPage(ctx, args, filter)) ??
      (await readColumnarPage(ctx, machineLearningDataset, SAMPLE_COLUMNS, args, filter, 'machineLearningBatch', 'machineLearningSamples'));
    return { rowCount: page.rowCount, columns: page.columns as unknown as MachineLearningColumns, pageInfo: page.pageInfo, lakeVersion: page.version };
  }
}
