import type { Dataset, DatasetFilter, Node } from '../../src/graphql/datasets/dataset';
import { allRowsQuery } from '../../src/graphql/page-query';
import type { Services } from '../../src/services';

/**
 * Every row of `dataset` the API may serve from the live version under the
 * registry's consent now, in key order: the one sorted query paging must add
 * up to, whatever the page size or read path.
 */
export async function servableRows(services: Services, dataset: Dataset<Node>, filter: DatasetFilter = {}): Promise<Record<string, unknown>[]> {
  const version = (await services.engine.manifest())!.versions[0].version;
  const consent = await services.consent.snapshot();
  const query = await allRowsQuery({ engine: services.engine, dataset, version, filter, exclusions: consent.exclusionsFor(version), split: services.config.split });
  return services.engine.query(query.sql, query.params);
}
