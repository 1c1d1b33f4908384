import { availableParallelism } from 'node:os';
import { type ConsentPolicy, DEFAULT_CONSENT_POLICY } from '../etl/consent-policy';
import { bodyLimit, ConfigError, corsOrigins, type Env, engineKind, integer, isS3, logLevel, memorySize, milliseconds, optionalPlace, parsePolicy, place, refuseAddresses, refuseQuoted, splitPercentages } from './config-values';
import { DEFAULT_VERSIONS_KEPT } from '../etl/build';
import { MAX_SETTLE_WAIT_MS, SETTLE_MS } from '../etl/build-again';
import type { LandingSettle } from '../etl/build-options';
import type { EngineKind } from '../etl/engine/engine';
import { DEFAULT_MAX_LINE_BYTES } from '../etl/landing/landing-rules';
import { KEPT_TEXT_BUDGET } from '../etl/landing/named-addresses';
import { defaultMaxConnections } from './open-files';
import { type AthenaConfig, readAthenaConfig } from './config-athena';
import { type LimitsConfig, readLimits } from './config-limits';
import { DEFAULT_ENGINE_THREAD_NICE, DEFAULT_IDLE_COLLECTION_MS, DEFAULT_KEY_CONCURRENCY, DEFAULT_KEY_QUEUE_MS, DEFAULT_SPARE_WORKER_IDLE_MS, DEFAULT_WORKER_HANG_MS, DEFAULT_WORKER_MALLOC_TRIM_KB, DEFAULT_WORKER_SEMI_SPACE_MB, KEY_QUEUE_PER_PLACE, maxDuckdbThreads, maxWorkers } from './config-defaults';

/**
 * Every setting, read once from the environment (this is the only module that
 * reads `process.env`) and overridable by CLI flags. A bad value is an error
 * that names the variable and what it accepts. The GraphQL limits and Athena's
 * settings are read from the same `env` in config-limits.ts and config-athena.ts.
 */

export { ConfigError };
// Imported from here by the server (src/http, src/graphql), beside Config.
export type { LimitsConfig };

export interface Config {
  engine: EngineKind;
  /** A folder for DuckDB; `s3://bucket/prefix` for Athena. */
  lake: string;
  /**
   * Where `<source>/landing/` lives. Unset: the folder the live version was
   * built from (the manifest records it), else the lake itself.
   */
  landing?: string;
  consentPolicy: ConsentPolicy;
  /** The policy was given (a flag or STEDI_CONSENT_POLICY); otherwise a build keeps the live version's. */
  consentPolicyGiven: boolean;
  keepVersions: number;
  queryTimeoutMs: number;
  /** Time limit of loading one lake version into memory; requests wait for it apart from their own limit. */
  loadTimeoutMs: number;
  port: number;
  host: string;
  /** Server processes answering requests (STEDI_WORKERS, default one per core; 1: a single process, no cluster). */
  workers: number;
  /** `key:role` pairs from STEDI_API_KEYS. */
  apiKeys: string;
  apiKeysFile?: string;
  consentRefreshMs: number;
  /** A revocation read from landing is gone from every kept version within this many ms (STEDI_ERASURE_MS). */
  erasureMs: number;
  /** Landing lines longer than this many bytes are quarantined (STEDI_MAX_LINE_BYTES). */
  maxLineBytes: number;
  /** Text the consent-doubt searches of landing keep at most, beyond which every customer counts as named (STEDI_DOUBT_TEXT_BYTES, default 64 MiB). */
  doubtTextBytes: number;
  /** A landing file changed while a build read it: how long it must stay unchanged before the build goes again, and the most it waits (STEDI_LANDING_SETTLE_MS, STEDI_LANDING_SETTLE_MAX_MS). */
  landingSettle: LandingSettle;
  /** Rows of small per-version query results kept in memory (0: no cache). */
  queryCacheRows: number;
  /** Estimated heap bytes of those results, keys included (STEDI_QUERY_CACHE_BYTES). */
  queryCacheBytes: number;
  /** Estimated heap bytes of whole answers kept (STEDI_RESPONSE_CACHE_BYTES; 0, or STEDI_QUERY_CACHE_ROWS=0: none). */
  responseCacheBytes: number;
  /** Batch pages of the training set sliced from its column text prepared once per version beside it (STEDI_BATCH_TEXT, 1; 0: read from the engine). */
  batchText: boolean;
  /** DuckDB's memory_limit for the serving engine, such as "2GB" (STEDI_DUCKDB_MEMORY_LIMIT); unset: DuckDB's 80% of RAM. */
  duckdbMemoryLimit?: string;
  /** DuckDB's threads in each serving process (STEDI_DUCKDB_THREADS); 0: DuckDB's own, one per core. */
  duckdbThreads: number;
  /** The OS priority (nice) of the engine's threads in each serving process, below the event loop's (STEDI_ENGINE_THREAD_NICE, 0-19); 0: left as started. */
  engineThreadNice: number;
  /** V8 lets the heap grow to (1 + this/100) x the live heap between full collections; 0: V8's own factor, up to 4x (STEDI_HEAP_GROWING_PERCENT). */
  heapGrowingPercent: number;
  /** Each cluster worker's V8 semi-space cap in MiB (--max-semi-space-size; the young generation is 2x it); 0: Node's own, 16 (STEDI_WORKER_SEMI_SPACE_MB). */
  workerSemiSpaceMb: number;
  /** A server process idle this many ms runs one full garbage collection, and another once V8 sees the quiet (src/idle-collection.ts); 0: never (STEDI_IDLE_GC_MS). */
  idleCollectionMs: number;
  /** glibc's malloc trim threshold in each cluster worker, in KiB (MALLOC_TRIM_THRESHOLD_); 0: glibc's own, which rises after large frees and then keeps freed memory (STEDI_WORKER_MALLOC_TRIM_KB; a MALLOC_TRIM_THRESHOLD_ of the user's wins). */
  workerMallocTrimKb: number;
  /** A cluster starts one worker; the others start with the first request for data or under load (src/cluster/spare-workers.ts) and stop after this many ms without a request; 0: every worker runs always (STEDI_SPARE_WORKER_IDLE_MS, default 5 minutes). */
  spareWorkerIdleMs: number;
  /** A cluster worker that answers none of its primary's pings for this many ms is killed and replaced (src/cluster/worker-watchdog.ts); 0: never (STEDI_WORKER_HANG_MS, default 30 s). */
  workerHangMs: number;
  maxPageSize: number;
  /** Percent of customers in TRAIN and VALIDATION (TEST gets the rest), from STEDI_SPLIT="80/10/10". */
  split: SplitPercentages;
  /** GraphQL limits (README → Request ids and limits); see src/http/limits.ts. */
  limits: LimitsConfig;
  /** Origins allowed to call the API from a browser (STEDI_CORS_ORIGINS, comma-separated); none by default. */
  corsOrigins: string[];
  bodyLimit: string;
  /** Requests for data (GraphQL queries, exports) one API key runs at once in a server process; 0: no limit (STEDI_KEY_CONCURRENCY). */
  keyConcurrency: number;
  /** How many more of one key's requests for data may wait for a place (STEDI_KEY_QUEUE; default 8 times keyConcurrency). */
  keyQueue: number;
  /** How long such a request waits for one of its key's to finish before its 429 (STEDI_KEY_QUEUE_MS). */
  keyQueueMs: number;
  /** Connections one server process holds at most (STEDI_MAX_CONNECTIONS; default its open-file limit less a reserve). */
  maxConnections: number;
  /** Bytes of unfinished request headers one server process holds at most, all connections together (STEDI_UNFINISHED_HEADER_BYTES; 0: no bound). */
  unfinishedHeaderBytes: number;
  logLevel: string;
  /** Whether readable logs on a terminal are coloured: not when NO_COLOR is set to anything (no-color.org). */
  colour: boolean;
  athena: AthenaConfig;
}

export interface SplitPercentages {
  train: number;
  validation: number;
}

/** Settings given on the command line (or by a test); Athena's may be given one by one. */
export type ConfigOverrides = Partial<Omit<Config, 'athena' | 'limits'>> & { athena?: Partial<AthenaConfig>; limits?: Partial<LimitsConfig> };

export function loadConfig(overrides: ConfigOverrides = {}, env: Env = process.env): Config {
  refuseQuoted(env);
  const engine = overrides.engine ?? engineKind(env.STEDI_ENGINE);
  // An empty value is an unset one (as for every other setting): resolved as given, it named the working folder.
  const givenLake = overrides.lake || env.STEDI_LAKE || './lake';
  const lake = place(givenLake);
  const keyConcurrency = overrides.keyConcurrency ?? integer(env, 'STEDI_KEY_CONCURRENCY', DEFAULT_KEY_CONCURRENCY, 0);
  const maxPageSize = overrides.maxPageSize ?? integer(env, 'STEDI_MAX_PAGE_SIZE', 10_000, 1);
  const config: Config = {
    engine,
    lake,
    landing: optionalPlace(overrides.landing ?? env.STEDI_LANDING),
    consentPolicy: overrides.consentPolicy ?? (env.STEDI_CONSENT_POLICY ? parsePolicy(env.STEDI_CONSENT_POLICY) : DEFAULT_CONSENT_POLICY),
    consentPolicyGiven: overrides.consentPolicyGiven ?? (overrides.consentPolicy !== undefined || Boolean(env.STEDI_CONSENT_POLICY)),
    keepVersions: overrides.keepVersions ?? integer(env, 'STEDI_KEEP_VERSIONS', DEFAULT_VERSIONS_KEPT, 1),
    queryTimeoutMs: overrides.queryTimeoutMs ?? milliseconds(env, 'STEDI_QUERY_TIMEOUT_MS', 30_000, 1),
    loadTimeoutMs: overrides.loadTimeoutMs ?? milliseconds(env, 'STEDI_LOAD_TIMEOUT_MS', 600_000, 1),
    port: overrides.port ?? integer(env, 'PORT', 4000, 0, 65_535),
    // Loopback by default: a laptop's `stedi start` served the lake to its whole LAN. The Docker image sets HOST=0.0.0.0.
    host: overrides.host || env.HOST || '127.0.0.1',
    workers: overrides.workers ?? integer(env, 'STEDI_WORKERS', availableParallelism(), 1, maxWorkers()),
    apiKeys: overrides.apiKeys ?? env.STEDI_API_KEYS ?? '',
    apiKeysFile: overrides.apiKeysFile ?? env.STEDI_API_KEYS_FILE,
    consentRefreshMs: overrides.consentRefreshMs ?? milliseconds(env, 'STEDI_CONSENT_REFRESH_MS', 30_000, 1),
    erasureMs: overrides.erasureMs ?? milliseconds(env, 'STEDI_ERASURE_MS', 15 * 60_000, 1),
    maxLineBytes: overrides.maxLineBytes ?? integer(env, 'STEDI_MAX_LINE_BYTES', DEFAULT_MAX_LINE_BYTES, 1024),
    doubtTextBytes: overrides.doubtTextBytes ?? integer(env, 'STEDI_DOUBT_TEXT_BYTES', KEPT_TEXT_BUDGET, 1024),
    landingSettle: overrides.landingSettle ?? {
      settleMs: milliseconds(env, 'STEDI_LANDING_SETTLE_MS', SETTLE_MS, 0),
      maxWaitMs: milliseconds(env, 'STEDI_LANDING_SETTLE_MAX_MS', MAX_SETTLE_WAIT_MS, 0),
    },
    queryCacheRows: overrides.queryCacheRows ?? integer(env, 'STEDI_QUERY_CACHE_ROWS', 200_000, 0),
    queryCacheBytes: overrides.queryCacheBytes ?? integer(env, 'STEDI_QUERY_CACHE_BYTES', 32 * 1024 * 1024, 0),
    responseCacheBytes: overrides.responseCacheBytes ?? integer(env, 'STEDI_RESPONSE_CACHE_BYTES', 16 * 1024 * 1024, 0),
    batchText: overrides.batchText ?? integer(env, 'STEDI_BATCH_TEXT', 1, 0) > 0,
    duckdbMemoryLimit: overrides.duckdbMemoryLimit ?? memorySize(env, 'STEDI_DUCKDB_MEMORY_LIMIT'),
    duckdbThreads: overrides.duckdbThreads ?? integer(env, 'STEDI_DUCKDB_THREADS', 0, 0, maxDuckdbThreads()),
    engineThreadNice: overrides.engineThreadNice ?? integer(env, 'STEDI_ENGINE_THREAD_NICE', DEFAULT_ENGINE_THREAD_NICE, 0, 19),
    heapGrowingPercent: overrides.heapGrowingPercent ?? integer(env, 'STEDI_HEAP_GROWING_PERCENT', 50, 0),
    workerSemiSpaceMb: overrides.workerSemiSpaceMb ?? integer(env, 'STEDI_WORKER_SEMI_SPACE_MB', DEFAULT_WORKER_SEMI_SPACE_MB, 0),
    idleCollectionMs: overrides.idleCollectionMs ?? milliseconds(env, 'STEDI_IDLE_GC_MS', DEFAULT_IDLE_COLLECTION_MS, 0),
    workerMallocTrimKb: overrides.workerMallocTrimKb ?? (env.MALLOC_TRIM_THRESHOLD_ ? 0 : integer(env, 'STEDI_WORKER_MALLOC_TRIM_KB', DEFAULT_WORKER_MALLOC_TRIM_KB, 0)),
    spareWorkerIdleMs: overrides.spareWorkerIdleMs ?? milliseconds(env, 'STEDI_SPARE_WORKER_IDLE_MS', DEFAULT_SPARE_WORKER_IDLE_MS, 0),
    workerHangMs: overrides.workerHangMs ?? milliseconds(env, 'STEDI_WORKER_HANG_MS', DEFAULT_WORKER_HANG_MS, 0),
    maxPageSize,
    split: overrides.split ?? splitPercentages(env.STEDI_SPLIT),
    limits: readLimits(env, maxPageSize, overrides.limits),
    corsOrigins: overrides.corsOrigins ?? corsOrigins(env.STEDI_CORS_ORIGINS),
    bodyLimit: overrides.bodyLimit ?? bodyLimit(env.STEDI_BODY_LIMIT),
    keyConcurrency,
    keyQueue: overrides.keyQueue ?? integer(env, 'STEDI_KEY_QUEUE', KEY_QUEUE_PER_PLACE * keyConcurrency, 0),
    keyQueueMs: overrides.keyQueueMs ?? milliseconds(env, 'STEDI_KEY_QUEUE_MS', DEFAULT_KEY_QUEUE_MS, 0),
    maxConnections: overrides.maxConnections ?? integer(env, 'STEDI_MAX_CONNECTIONS', defaultMaxConnections(), 1),
    unfinishedHeaderBytes: overrides.unfinishedHeaderBytes ?? integer(env, 'STEDI_UNFINISHED_HEADER_BYTES', 32 * 1024 * 1024, 0),
    logLevel: overrides.logLevel ?? logLevel(env.LOG_LEVEL),
    colour: !env.NO_COLOR,
    athena: readAthenaConfig(env, overrides.athena),
  };
  if (config.engine === 'athena' && !isS3(config.lake)) {
    // Quoted as given: resolved as a local path, `http://bucket` read as /working/folder/http:/bucket.
    throw new ConfigError(`the athena engine needs an s3://bucket/prefix lake (--lake or STEDI_LAKE); received ${JSON.stringify(givenLake)}`, ['engine', 'lake']);
  }
  if (config.engine === 'duckdb' && isS3(config.lake)) {
    throw new ConfigError(`the duckdb engine needs a local lake folder; for ${config.lake} pass --engine athena (or set STEDI_ENGINE=athena)`, ['engine', 'lake']);
  }
  if (config.engine === 'duckdb') refuseAddresses(givenLake, overrides.landing || env.STEDI_LANDING || '');
  return config;
}

/**
 * The settings of a command that serves nothing (build, status, doctor, the health check). STEDI_WORKERS is not read:
 * its bound is this host's cores, for `serve`, and a value exported for a bigger server stopped every command here.
 */
export const loadLakeConfig = (overrides: ConfigOverrides = {}, env: Env = process.env): Config => loadConfig({ ...overrides, workers: 1 }, env);
