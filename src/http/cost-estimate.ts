import { GraphQLError, Kind } from 'graphql';
import { type ComplexityEstimator, getComplexity, simpleEstimator } from 'graphql-query-complexity';
import type { LimitsConfig } from '../config';
import { DEFAULT_PAGE_SIZE, pageSizeRefusal } from '../graphql/pagination';
import { limitError } from './limit-error';
import { firstVariableError } from './variable-errors';

/** What one walk of the document saw besides its cost: the totalCount scans, and a `first` above the page size. */
interface Seen {
  count: number;
  oversizedPage?: string;
}

/**
 * The data-aware cost: a connection costs its page size (`first`, or the
 * default page) times one item; a totalCount is a scan of what it counts,
 * `totalCountCost` each wherever it appears (nested counts are one grouped query).
 * Only `first` is read (COST_ARGUMENTS): cached estimates are keyed by it.
 */
function estimators(seen: Seen, maxPageSize: number): ComplexityEstimator[] {
  const scanEstimator: ComplexityEstimator = ({ field, type }) => {
    // A connection's, or machineLearningBatch's (the same count as machineLearningSamples').
    if (field.name !== 'totalCount' || !(type.name.endsWith('Connection') || type.name === 'MachineLearningBatch')) return undefined;
    seen.count += 1;
    return 0;
  };
  const pageEstimator: ComplexityEstimator = ({ type, field, args, childComplexity }) => {
    if (!field.args.some((a) => a.name === 'first')) return undefined;
    // A negative `first` is refused by the resolver before it runs.
    const first = typeof args.first === 'number' ? Math.max(args.first, 0) : DEFAULT_PAGE_SIZE;
    // Named as the resolver names it (Query's fields bare, nested ones as Type.field), for a refusal by a limit.
    if (first > maxPageSize && seen.oversizedPage === undefined) {
      seen.oversizedPage = pageSizeRefusal(type.name === 'Query' ? field.name : `${type.name}.${field.name}`, first, maxPageSize);
    }
    return 1 + first * Math.max(childComplexity, 1);
  };
  return [scanEstimator, pageEstimator, simpleEstimator({ defaultComplexity: 1 })];
}

/**
 * The rows a request asks for: a page's `first` (or the default page), times
 * one plus the rows asked under each of its items; nothing else adds rows. A
 * `first` above the page size counts as the page size: the resolver refuses it
 * with its own message, which says what to fix.
 */
const rowsEstimators = (maxPageSize: number): ComplexityEstimator[] => [
  ({ field, args, childComplexity }) => {
    if (!field.args.some((a) => a.name === 'first')) return undefined;
    const first = typeof args.first === 'number' ? Math.min(Math.max(args.first, 0), maxPageSize) : DEFAULT_PAGE_SIZE;
    return first * (1 + childComplexity);
  },
  simpleEstimator({ defaultComplexity: 0 }),
];

export interface CostEstimate {
  cost: number;
  scans: number;
  /**
   * Rows asked across all the connections (rowsEstimators); or, when the cost before its scans is within
   * `maxRequestRows`, that cost: the rows are never more (requestRows), so they were not counted.
   */
  rows: number;
  /**
   * The page-size refusal of a `first` above STEDI_MAX_PAGE_SIZE, said instead of a cost or rows limit that
   * such a `first` passed: the resolver would refuse it anyway, and its message names the argument and the maximum.
   */
  oversizedPage?: string;
}

/** Throws a BAD_USER_INPUT GraphQLError for bad variables, and for anything else that stops the estimate. */
export function estimateCost(limits: LimitsConfig, args: Omit<Parameters<typeof getComplexity>[0], 'estimators'>): CostEstimate {
  const seen: Seen = { count: 0 };
  let cost: number;
  try {
    const badVariable = firstVariableError(args.schema, args.query, args.variables ?? {}, args.operationName);
    if (badVariable) throw badVariable;
    cost = getComplexity({ ...args, estimators: estimators(seen, limits.maxPageSize) });
  } catch (error) {
    throw costRefusal(error);
  }
  const total = cost + seen.count * limits.totalCountCost;
  const { oversizedPage } = seen;
  if (!Number.isFinite(total) && oversizedPage) throw limitError(oversizedPage);
  if (!Number.isFinite(total)) throw limitError('the query\'s cost could not be estimated; ask for fewer rows per page (first) or fewer nested fields');
  // A second walk of the document (~0.1 ms for a new one) that could only pass: a page costs one more than the rows
  // it asks times its items' cost, every other field at least the rows below it (tests/http/cost-estimate.property.test.ts).
  if (cost <= limits.maxRequestRows) return { cost: total, scans: seen.count, rows: cost, oversizedPage };
  return { cost: total, scans: seen.count, rows: requestRows(limits, args), oversizedPage };
}

/** The rows a request asks for across all its connections (rowsEstimators); refuses as estimateCost does when it cannot tell. */
export function requestRows(limits: LimitsConfig, args: Omit<Parameters<typeof getComplexity>[0], 'estimators'>): number {
  let rows: number;
  try {
    rows = getComplexity({ ...args, estimators: rowsEstimators(limits.maxPageSize) });
  } catch (error) {
    throw costRefusal(error);
  }
  return Number.isFinite(rows) ? rows : Number.MAX_VALUE;
}

function costRefusal(error: unknown): GraphQLError {
  // graphql-js's variable coercion errors point at the variable definition: its message says what to fix.
  if (error instanceof GraphQLError && error.nodes?.some((n) => n.kind === Kind.VARIABLE_DEFINITION)) {
    return limitError(error.message, error.nodes);
  }
  // Its argument coercion's point at a variable used as an argument: a null sent for one with a default, where the
  // argument (or @include/@skip's if) takes none. The message names the argument and its type, no value.
  if (error instanceof GraphQLError && error.nodes?.some((n) => n.kind === Kind.VARIABLE)) {
    return limitError(error.message, error.nodes);
  }
  if (error instanceof GraphQLError && /maximum allowed number of nodes/.test(error.message)) {
    return limitError('the query selects too many fields; split it into smaller queries');
  }
  return limitError('the query\'s cost could not be estimated; simplify it (fewer nested fields, fragments or aliases)');
}
