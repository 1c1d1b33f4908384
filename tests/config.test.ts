import { availableParallelism } from 'node:os';
import { ConfigError, loadConfig } from '../src/config';

describe('configuration', () => {
  it('defaults to the embedded engine, a ./lake folder, the any policy and port 4000', () => {
    const config = loadConfig({}, {});
    expect(config).toMatchObject({ engine: 'duckdb', consentPolicy: 'any', port: 4000, keepVersions: 3, consentRefreshMs: 30_000, maxPageSize: 10_000 });
    expect(config.lake).toMatch(/\/lake$/);
    // Unset: the engine uses the landing folder the live version recorded, else the lake.
    expect(config.landing).toBeUndefined();
    expect(config.loadTimeoutMs).toBe(600_000);
    // A landing file changed while a build read it: unchanged for a second before the build goes again, waited for at most 10 s.
    expect(config.landingSettle).toEqual({ settleMs: 1_000, maxWaitMs: 10_000 });
  });

  it('reads settings from the environment and lets flags override them', () => {
    const env = { PORT: '8080', STEDI_LAKE: '/data/lake', STEDI_CONSENT_POLICY: 'as-of', STEDI_KEEP_VERSIONS: '5' };
    expect(loadConfig({}, env)).toMatchObject({ port: 8080, lake: '/data/lake', consentPolicy: 'as-of', keepVersions: 5 });
    expect(loadConfig({ port: 9000, lake: '/elsewhere' }, env)).toMatchObject({ port: 9000, lake: '/elsewhere' });
    expect(loadConfig({}, { STEDI_LANDING: '/raw', STEDI_LOAD_TIMEOUT_MS: '5000' })).toMatchObject({ landing: '/raw', loadTimeoutMs: 5000 });
    expect(loadConfig({}, { STEDI_LANDING_SETTLE_MS: '200', STEDI_LANDING_SETTLE_MAX_MS: '0' }).landingSettle).toEqual({ settleMs: 200, maxWaitMs: 0 });
  });

  it('names the variable and what it accepts when a value is bad', () => {
    expect(() => loadConfig({}, { PORT: 'eighty' })).toThrow(new ConfigError('PORT must be a whole number from 0 to 65535; received "eighty"'));
    expect(() => loadConfig({}, { STEDI_ENGINE: 'spark' })).toThrow('STEDI_ENGINE must be duckdb or athena; received "spark"');
    expect(() => loadConfig({}, { STEDI_CONSENT_POLICY: 'never' })).toThrow(/STEDI_CONSENT_POLICY: consent policy must be one of any, as-of/);
    expect(() => loadConfig({}, { STEDI_KEEP_VERSIONS: '0' })).toThrow(/STEDI_KEEP_VERSIONS must be a whole number of at least 1/);
  });

  it.each(['1e3', '0x10', '+5', '5.0', '0b11', '1_000'])('refuses %s for a whole-number setting: decimal digits only', (raw) => {
    expect(() => loadConfig({}, { STEDI_KEEP_VERSIONS: raw })).toThrow(`STEDI_KEEP_VERSIONS must be a whole number of at least 1; received ${JSON.stringify(raw)}`);
    expect(loadConfig({}, { STEDI_KEEP_VERSIONS: ' 16 ' }).keepVersions).toBe(16);
  });

  it('requires an s3:// lake for Athena and a local one for DuckDB', () => {
    expect(() => loadConfig({}, { STEDI_ENGINE: 'athena', STEDI_LAKE: './lake' })).toThrow(/athena engine needs an s3:\/\/bucket\/prefix lake/);
    expect(() => loadConfig({}, { STEDI_LAKE: 's3://bucket/stedi' })).toThrow(/duckdb engine needs a local lake folder/);
    expect(loadConfig({}, { STEDI_ENGINE: 'athena', STEDI_LAKE: 's3://bucket/stedi/' }).lake).toBe('s3://bucket/stedi');
  });
});

describe('values the runtime cannot take', () => {
  it('refuse a port beyond 65535 at start, naming PORT, instead of failing at listen', () => {
    expect(() => loadConfig({}, { PORT: '70000' })).toThrow(new ConfigError('PORT must be a whole number from 0 to 65535; received "70000"'));
    expect(loadConfig({}, { PORT: '65535' }).port).toBe(65_535);
  });

  it('read a blank number setting as unset, like an empty one: never as 0 (a random port, an idle bound of "never")', () => {
    // Number(' ') is 0: PORT=' ' listened on a random port, STEDI_SPARE_WORKER_IDLE_MS=' ' kept every worker running.
    const config = loadConfig({}, { PORT: ' ', STEDI_SPARE_WORKER_IDLE_MS: '\t', STEDI_IDLE_GC_MS: ' ' });
    expect(config.port).toBe(4_000);
    expect(config).toEqual(loadConfig({}, {}));
  });

  it('refuse a duration beyond what a Node timer can wait (it would fire after 1 ms), for every *_MS setting', () => {
    // 2^31 ms: Node warns TimeoutOverflowWarning and sets the timer to 1 ms, so a consent refresh ran
    // back to back (a fifth of a core) and every query timed out at once.
    const names = ['STEDI_QUERY_TIMEOUT_MS', 'STEDI_LOAD_TIMEOUT_MS', 'STEDI_CONSENT_REFRESH_MS', 'STEDI_ERASURE_MS', 'STEDI_IDLE_GC_MS', 'STEDI_SPARE_WORKER_IDLE_MS', 'STEDI_WORKER_HANG_MS',
      'STEDI_REQUEST_ENGINE_MS', 'STEDI_LANDING_SETTLE_MS', 'STEDI_LANDING_SETTLE_MAX_MS', 'STEDI_ATHENA_POLL_MIN_MS', 'STEDI_ATHENA_POLL_MAX_MS', 'STEDI_ATHENA_BUILD_TIMEOUT_MS', 'STEDI_AWS_TIMEOUT_MS'];
    for (const name of names) {
      expect(() => loadConfig({}, { [name]: '2147483648' })).toThrow(new RegExp(`^${name} must be a whole number from [01] to 2147483647; received "2147483648"$`));
      expect(() => loadConfig({}, { [name]: '2147483647' })).not.toThrow();
    }
  });

  it('name LOG_LEVEL and STEDI_BODY_LIMIT when their value is unknown, instead of a library message', () => {
    expect(() => loadConfig({}, { LOG_LEVEL: 'verbose' })).toThrow(new ConfigError('LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent; received "verbose"'));
    expect(loadConfig({}, { LOG_LEVEL: 'debug' }).logLevel).toBe('debug');
    expect(loadConfig({}, { LOG_LEVEL: '' }).logLevel).toBe('info');
    expect(() => loadConfig({}, { STEDI_BODY_LIMIT: 'lots' })).toThrow(/^STEDI_BODY_LIMIT must be a size such as 1mb, 512kb or 1048576 \(bytes\); received "lots"$/);
    expect(() => loadConfig({}, { STEDI_BODY_LIMIT: '0' })).toThrow(/STEDI_BODY_LIMIT must be a size/);
    for (const ok of ['2mb', '512KB', '1048576', '1.5mb', '64mb', '1b']) expect(loadConfig({}, { STEDI_BODY_LIMIT: ok }).bodyLimit).toBe(ok);
    // Rounded down to no byte, body-parser would refuse every body.
    expect(() => loadConfig({}, { STEDI_BODY_LIMIT: '0.5b' })).toThrow(/STEDI_BODY_LIMIT must be a size/);
    expect(loadConfig({}, {}).bodyLimit).toBe('1mb');
  });

  it('refuse a STEDI_BODY_LIMIT over 64mb, saying the bound and why', () => {
    // Each body is held whole in a server process: 1tb was accepted and let one request take a worker's memory.
    for (const big of ['65mb', '64.01mb', '1gb', '1tb', String(64 * 1024 * 1024 + 1)]) {
      expect(() => loadConfig({}, { STEDI_BODY_LIMIT: big })).toThrow(new ConfigError(`STEDI_BODY_LIMIT must be at most 64mb (each request body is held whole in a server process's memory; the default 1mb holds any query); received ${JSON.stringify(big)}`));
    }
    expect(loadConfig({}, { STEDI_BODY_LIMIT: String(64 * 1024 * 1024) }).bodyLimit).toBe(String(64 * 1024 * 1024));
  });
});

describe('server workers', () => {
  it('default to one per core, come from STEDI_WORKERS or an override, and are at least 1', () => {
    expect(loadConfig({}, {}).workers).toBe(availableParallelism());
    expect(loadConfig({}, { STEDI_WORKERS: '1' }).workers).toBe(1);
    expect(loadConfig({ workers: 3 }, { STEDI_WORKERS: '1' }).workers).toBe(3);
    expect(() => loadConfig({}, { STEDI_WORKERS: '0' })).toThrow(`STEDI_WORKERS must be a whole number from 1 to ${4 * availableParallelism()}; received "0"`);
    expect(() => loadConfig({}, { STEDI_WORKERS: 'all' })).toThrow(/STEDI_WORKERS must be a whole number/);
  });

  it('are at most 4 a core: more add memory and forks, never throughput', () => {
    const bound = 4 * availableParallelism();
    expect(loadConfig({}, { STEDI_WORKERS: String(bound) }).workers).toBe(bound);
    expect(() => loadConfig({}, { STEDI_WORKERS: String(bound + 1) })).toThrow(`STEDI_WORKERS must be a whole number from 1 to ${bound}; received "${bound + 1}"`);
  });
});

describe('the per-key limit', () => {
  it('lets eight requests of a key wait for each one it runs, unless STEDI_KEY_QUEUE says otherwise', () => {
    expect(loadConfig({}, {})).toMatchObject({ keyConcurrency: 6, keyQueue: 48, keyQueueMs: 2_000 });
    expect(loadConfig({}, { STEDI_KEY_CONCURRENCY: '2' }).keyQueue).toBe(16);
    expect(loadConfig({}, { STEDI_KEY_CONCURRENCY: '2', STEDI_KEY_QUEUE: '0' }).keyQueue).toBe(0);
    expect(loadConfig({ keyConcurrency: 3 }, {}).keyQueue).toBe(24);
    expect(() => loadConfig({}, { STEDI_KEY_QUEUE: 'many' })).toThrow(/STEDI_KEY_QUEUE/);
  });
});

describe('Athena settings', () => {
  it('come from the environment and can be overridden one by one', () => {
    const env = { STEDI_ENGINE: 'athena', STEDI_LAKE: 's3://b/p', AWS_REGION: 'eu-west-1', STEDI_ATHENA_WORKGROUP: 'analytics', STEDI_GLUE_DATABASE: 'lakehouse' };
    const config = loadConfig({ athena: { database: 'other', region: undefined } }, env);
    expect(config.athena).toMatchObject({ region: 'eu-west-1', workgroup: 'analytics', database: 'other', pollMinMs: 200, pollMaxMs: 5_000 });
  });
});

describe('request limits', () => {
  it('have the documented defaults, come from the environment and can be overridden one by one', () => {
    expect(loadConfig({}, {}).limits).toEqual({
      maxTokens: 1_000,
      maxDepth: 15,
      maxAliases: 15,
      maxDirectives: 50,
      maxComplexity: 1_000_000,
      totalCountCost: 100_000,
      maxCountsPerRequest: 4,
      maxRequestRows: 50_000,
      maxRowsInFlight: 200_000,
      maxPageSize: 10_000,
      requestEngineMs: 30_000,
      jitCacheBytes: 16 * 1024 * 1024,
      jitMaxFields: 60,
      jitMinUses: 2,
      documentCacheBytes: 16 * 1024 * 1024,
    });
    const config = loadConfig({ limits: { maxAliases: 3 } }, { STEDI_MAX_TOKENS: '500', STEDI_REQUEST_ENGINE_MS: '2000', STEDI_MAX_ALIASES: '40' });
    expect(config.limits).toMatchObject({ maxTokens: 500, requestEngineMs: 2_000, maxAliases: 3 });
    expect(() => loadConfig({}, { STEDI_MAX_COUNTS_PER_REQUEST: '0' })).toThrow(/STEDI_MAX_COUNTS_PER_REQUEST must be a whole number of at least 1/);
    // The rows a request may ask for follow a larger page size (five pages), unless set.
    expect(loadConfig({}, { STEDI_MAX_PAGE_SIZE: '50000' }).limits.maxRequestRows).toBe(250_000);
    expect(loadConfig({}, { STEDI_MAX_PAGE_SIZE: '50000', STEDI_MAX_REQUEST_ROWS: '60000' }).limits.maxRequestRows).toBe(60_000);
    expect(loadConfig({ maxPageSize: 100 }, {}).limits.maxRequestRows).toBe(50_000);
    expect(() => loadConfig({}, { STEDI_MAX_REQUEST_ROWS: '0' })).toThrow(/STEDI_MAX_REQUEST_ROWS must be a whole number of at least 1/);
  });
});

describe('memory bounds', () => {
  it('have the documented defaults and come from the environment', () => {
    const defaults = loadConfig({}, {});
    expect(defaults).toMatchObject({ queryCacheRows: 200_000, queryCacheBytes: 32 * 1024 * 1024, heapGrowingPercent: 50, workerSemiSpaceMb: 8 });
    expect(loadConfig({}, { STEDI_WORKER_SEMI_SPACE_MB: '0' }).workerSemiSpaceMb).toBe(0);
    expect(() => loadConfig({}, { STEDI_WORKER_SEMI_SPACE_MB: '8MB' })).toThrow(/STEDI_WORKER_SEMI_SPACE_MB must be a whole number of at least 0; received "8MB"/);
    expect(defaults.workerMallocTrimKb).toBe(128);
    expect(loadConfig({}, { STEDI_WORKER_MALLOC_TRIM_KB: '0' }).workerMallocTrimKb).toBe(0);
    expect(() => loadConfig({}, { STEDI_WORKER_MALLOC_TRIM_KB: '128K' })).toThrow(/STEDI_WORKER_MALLOC_TRIM_KB must be a whole number of at least 0; received "128K"/);
    // The user's own glibc setting reaches the workers untouched.
    expect(loadConfig({}, { MALLOC_TRIM_THRESHOLD_: '1048576', STEDI_WORKER_MALLOC_TRIM_KB: '64' }).workerMallocTrimKb).toBe(0);
    // An idle cluster runs one worker: the others start under load and stop after five minutes without a request; 0 runs every worker always.
    expect(defaults.spareWorkerIdleMs).toBe(300_000);
    expect(loadConfig({}, { STEDI_SPARE_WORKER_IDLE_MS: '0' }).spareWorkerIdleMs).toBe(0);
    expect(loadConfig({}, { STEDI_SPARE_WORKER_IDLE_MS: '600000' }).spareWorkerIdleMs).toBe(600_000);
    expect(() => loadConfig({}, { STEDI_SPARE_WORKER_IDLE_MS: '10m' })).toThrow(/STEDI_SPARE_WORKER_IDLE_MS must be a whole number from 0 to 2147483647; received "10m"/);
    // A worker silent for 30 s is killed and replaced; 0 never.
    expect(defaults.workerHangMs).toBe(30_000);
    expect(loadConfig({}, { STEDI_WORKER_HANG_MS: '0' }).workerHangMs).toBe(0);
    expect(() => loadConfig({}, { STEDI_WORKER_HANG_MS: '30s' })).toThrow(/STEDI_WORKER_HANG_MS must be a whole number from 0 to 2147483647; received "30s"/);
    expect(defaults.duckdbMemoryLimit).toBeUndefined();
    expect(defaults.duckdbThreads).toBe(0);
    expect(loadConfig({}, { STEDI_DUCKDB_THREADS: '1' }).duckdbThreads).toBe(1);
    expect(() => loadConfig({}, { STEDI_DUCKDB_THREADS: 'one' })).toThrow(`STEDI_DUCKDB_THREADS must be a whole number from 0 to ${4 * availableParallelism()}; received "one"`);
    expect(loadConfig({}, { STEDI_DUCKDB_THREADS: String(4 * availableParallelism()) }).duckdbThreads).toBe(4 * availableParallelism());
    expect(() => loadConfig({}, { STEDI_DUCKDB_THREADS: '100000' })).toThrow(/STEDI_DUCKDB_THREADS must be a whole number from 0 to \d+; received "100000"/);
    // The engine's threads run at nice 10 (below the event loop); 0 leaves them; 19 is the lowest priority there is.
    expect(defaults.engineThreadNice).toBe(10);
    expect(loadConfig({}, { STEDI_ENGINE_THREAD_NICE: '0' }).engineThreadNice).toBe(0);
    expect(() => loadConfig({}, { STEDI_ENGINE_THREAD_NICE: '20' })).toThrow('STEDI_ENGINE_THREAD_NICE must be a whole number from 0 to 19; received "20"');
    expect(() => loadConfig({}, { STEDI_ENGINE_THREAD_NICE: '-5' })).toThrow('STEDI_ENGINE_THREAD_NICE must be a whole number from 0 to 19; received "-5"');
    const set = loadConfig({}, { STEDI_QUERY_CACHE_BYTES: '1048576', STEDI_DUCKDB_MEMORY_LIMIT: '2GiB', STEDI_HEAP_GROWING_PERCENT: '0', STEDI_DOCUMENT_CACHE_BYTES: '0' });
    expect(set).toMatchObject({ queryCacheBytes: 1_048_576, duckdbMemoryLimit: '2GiB', heapGrowingPercent: 0 });
    expect(set.limits.documentCacheBytes).toBe(0);
  });

  it('refuses a DuckDB memory limit that is not a size', () => {
    expect(() => loadConfig({}, { STEDI_DUCKDB_MEMORY_LIMIT: 'lots' })).toThrow(/STEDI_DUCKDB_MEMORY_LIMIT must be a size such as 512MB or 2GiB; received "lots"/);
    expect(() => loadConfig({}, { STEDI_DUCKDB_MEMORY_LIMIT: '80%' })).toThrow(/STEDI_DUCKDB_MEMORY_LIMIT/);
  });
});

describe('folder settings that are addresses', () => {
  it('refuses a URL scheme as the duckdb lake or landing, and takes a Windows drive letter as a folder', () => {
    expect(() => loadConfig({}, { STEDI_LAKE: 'S3://bucket-x/lake' })).toThrow(/"S3:\/\/bucket-x\/lake" is an address, not a folder/);
    expect(() => loadConfig({}, { STEDI_LANDING: 'https://host/in' })).toThrow(/"https:\/\/host\/in" is an address, not a folder/);
    expect(loadConfig({}, { STEDI_LAKE: 'C:/data/lake', STEDI_LANDING: 'D:/in' }).engine).toBe('duckdb');
  });
});
