import { type Env, definedOnly, integer, milliseconds } from './config-values';
import { DEFAULT_MAX_REQUEST_ROWS } from './config-defaults';

/** The GraphQL request limits (README → Request ids and limits; enforced in src/http/limits.ts), read by config.ts. */

export interface LimitsConfig {
  /** Lexical tokens in one document (graphql-js's parser stops there). */
  maxTokens: number;
  /** Nested fields, introspection included (graphql-armor max depth). */
  maxDepth: number;
  maxAliases: number;
  maxDirectives: number;
  /** The data-aware cost: page sizes times item costs, plus a scan per totalCount. */
  maxComplexity: number;
  /** What one totalCount adds to the data-aware cost: it scans the rows it counts. */
  totalCountCost: number;
  /** Distinct uncached counts one request may start. */
  maxCountsPerRequest: number;
  /** Rows one request may ask for across all its connections (each `first`, times the rows of the page it is nested in). */
  maxRequestRows: number;
  /** Rows asked by the queries a server process answers at once, all keys together (rows-in-flight.ts); 0: no bound. */
  maxRowsInFlight: number;
  /** STEDI_MAX_PAGE_SIZE, as the rows estimate counts a larger `first` (refused by the resolver, with its own message). */
  maxPageSize: number;
  /** Engine time one request may use, across all its queries. */
  requestEngineMs: number;
  /** Bytes of generated code graphql-jit may keep compiled. */
  jitCacheBytes: number;
  /** Documents with more (expanded) field selections run on graphql-js, uncompiled. */
  jitMaxFields: number;
  /** A document is compiled once it has come this many times (new text each time never is). */
  jitMinUses: number;
  /** Estimated heap bytes of parsed, validated documents (and their cost estimates) kept by text; 0: none kept. */
  documentCacheBytes: number;
}

/** The limits from `env` (STEDI_MAX_TOKENS, ...), each overridden where `overrides` gives it. */
export function readLimits(env: Env, maxPageSize: number, overrides: Partial<LimitsConfig> = {}): LimitsConfig {
  // Five full pages; a larger page size raises it with it.
  const maxRequestRows = overrides.maxRequestRows ?? integer(env, 'STEDI_MAX_REQUEST_ROWS', Math.max(DEFAULT_MAX_REQUEST_ROWS, 5 * maxPageSize), 1);
  return {
    maxTokens: integer(env, 'STEDI_MAX_TOKENS', 1_000, 1),
    maxDepth: integer(env, 'STEDI_MAX_DEPTH', 15, 1),
    maxAliases: integer(env, 'STEDI_MAX_ALIASES', 15, 0),
    maxDirectives: integer(env, 'STEDI_MAX_DIRECTIVES', 50, 0),
    maxComplexity: integer(env, 'STEDI_MAX_COMPLEXITY', 1_000_000, 1),
    totalCountCost: integer(env, 'STEDI_TOTAL_COUNT_COST', 100_000, 0),
    maxCountsPerRequest: integer(env, 'STEDI_MAX_COUNTS_PER_REQUEST', 4, 1),
    maxRequestRows,
    // Four requests of the most rows at once: the widest answers of 20 keys at once grew one worker to 3.5 GB.
    maxRowsInFlight: integer(env, 'STEDI_ROWS_IN_FLIGHT', 4 * maxRequestRows, 0),
    maxPageSize,
    requestEngineMs: milliseconds(env, 'STEDI_REQUEST_ENGINE_MS', 30_000, 1),
    jitCacheBytes: integer(env, 'STEDI_JIT_CACHE_BYTES', 16 * 1024 * 1024, 0),
    jitMaxFields: integer(env, 'STEDI_JIT_MAX_FIELDS', 60, 0),
    jitMinUses: integer(env, 'STEDI_JIT_MIN_USES', 2, 1),
    documentCacheBytes: integer(env, 'STEDI_DOCUMENT_CACHE_BYTES', 16 * 1024 * 1024, 0),
    ...definedOnly(overrides),
  };
}
