import 'reflect-metadata';
import type { GraphQLResolveInfo } from 'graphql';
import { Args, Authorized, Ctx, FieldResolver, Info, Query, Resolver, Root } from 'type-graphql';
import { readColumnarPage } from '../columnar-page-reader';
import { pageStart, totalCountOf } from '../connection-reader';
import type { GraphqlContext } from '../context';
import { asksOnlyTotalCount, countOnlyAnswer } from '../count-only';
import { machineLearningDataset, SAMPLE_COLUMNS, trainingSetFilter } from '../datasets/machine-learning.dataset';
import { SamplesArgs } from '../inputs/field-args.input';
import { isoColumn } from '../iso-column';
import { preparedBatchPage } from '../prepared-batch-page';
import { MachineLearningBatch, type MachineLearningColumns } from '../types/machine-learning-batch.type';
import { SafeInt } from '../types/scalars';

const FIELD = 'machineLearningBatch';
// Its cursors (and so its counts' filter scope) are machineLearningSamples' own, so either field continues the other's paging.
const CURSOR_FIELD = 'machineLearningSamples';

/** A page as the resolver answers it: its count is run only when totalCount is asked (as a connection's). */
type BatchAnswer = MachineLearningBatch & { count: () => Promise<number> };

@Resolver(() => MachineLearningBatch)
export class MachineLearningBatchResolver {
  @Authorized()
  @Query(() => MachineLearningBatch, {
    // Nullable as the connection fields are: a refused page (a bad cursor, a timeout) leaves the rest of the answer.
    nullable: true,
    description:
      'A page of the training set as columns, for notebooks: the same rows, order, consent, splits and cursors as machineLearningSamples (an endCursor of either continues the other).',
  })
  async machineLearningBatch(@Args(() => SamplesArgs) args: SamplesArgs, @Ctx() ctx: GraphqlContext, @Info() info: GraphQLResolveInfo): Promise<BatchAnswer> {
    const filter = trainingSetFilter(args, FIELD);
    const ds = machineLearningDataset;
    // Found once for the page and its count: the count is in the version the page was read from (its cursor's, or the live one then).
    const started = await pageStart(ctx, ds, args, filter, FIELD, CURSOR_FIELD);
    const count = (): Promise<number> => totalCountOf(ctx, ds, started.scope, started.consent.generation, filter, FIELD)();
    // `{ totalCount }` (with lakeVersion) alone: the arguments and cursor are checked, and no page is read.
    if (asksOnlyTotalCount(info)) return countOnlyAnswer('a machineLearningBatch', ['rowCount', 'columns', 'pageInfo'], { lakeVersion: started.scope.version, totalCount: null, count });
    const page = (await preparedBatchPage(ctx, started, filter)) ?? (await readColumnarPage(ctx, ds, SAMPLE_COLUMNS, args, filter, FIELD, CURSOR_FIELD, started));
    return { rowCount: page.rowCount, columns: withIsoTimes(page.columns), pageInfo: page.pageInfo, lakeVersion: page.version, totalCount: null, count };
  }

  @FieldResolver(() => SafeInt, { nullable: true })
  totalCount(@Root() batch: BatchAnswer): Promise<number> {
    return batch.count();
  }
}

/** The page's columns, with sensorReadingTimeIso made from sensorReadingTime the first time it is read. */
function withIsoTimes(columns: Record<string, unknown[]>): MachineLearningColumns {
  let iso: readonly unknown[] | undefined;
  Object.defineProperty(columns, 'sensorReadingTimeIso', { enumerable: true, get: () => (iso ??= isoColumn(columns.sensorReadingTime)) });
  return columns as unknown as MachineLearningColumns;
}
