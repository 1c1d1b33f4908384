import { availableParallelism } from 'node:os';
import { extname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Column } from '../tables';
import type { LandingTally, QuarantinedLine, ReadOptions } from './landing-reader';
import type { FromWorker, ToWorker } from './landing-worker';

const WORKER = join(__dirname, `landing-worker${extname(__filename)}`);

/**
 * From dist the worker is plain JS. From the TypeScript sources (tests, the
 * bench) it is bundled once by esbuild (a dev dependency), not run through
 * ts-node: ts-node costs each worker about a second of CPU and 70 MiB. A
 * worker inherits the process's Node flags, so the bundle starts without the
 * modules they preload (`-r ts-node/register`, which it does not need).
 */
let bundled: string | undefined;
function newWorker(): Worker {
  if (extname(__filename) !== '.ts') return new Worker(WORKER);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  bundled ??= (require('esbuild') as typeof import('esbuild')).buildSync({ entryPoints: [WORKER], bundle: true, platform: 'node', format: 'cjs', write: false, logLevel: 'silent' }).outputFiles[0].text;
  return new Worker(bundled, { eval: true, execArgv: withoutPreloads(process.execArgv) });
}

const PRELOAD = /^(-r|--require|--import|--loader|--experimental-loader)$/;
const PRELOAD_JOINED = /^(--require|--import|--loader|--experimental-loader)=/;

/** Node flags without the modules they preload. */
export function withoutPreloads(flags: readonly string[]): string[] {
  return flags.filter((flag, k) => !PRELOAD.test(flag) && !PRELOAD_JOINED.test(flag) && !(k > 0 && PRELOAD.test(flags[k - 1])));
}

interface Handlers {
  quarantine(line: QuarantinedLine): void;
  /** The Parquet file the worker writes the accepted rows into. */
  parquet: string;
}

interface Pending extends Handlers {
  id: number;
  files: string[];
  columns: Column[];
  options: ReadOptions;
  resolve(tally: LandingTally): void;
  reject(error: Error): void;
}

/**
 * Worker threads, one per core, that run landing jobs (a few files each,
 * read by the one landing reader) first come, first served. Started on the
 * first job; close() ends them.
 */
export class LandingPool {
  private readonly idle: Worker[] = [];
  private readonly busy = new Map<Worker, Pending>();
  private readonly queue: Pending[] = [];
  private started = 0;
  private nextId = 0;
  private broken?: Error;

  constructor(private readonly size = availableParallelism()) {}

  run(files: string[], columns: readonly Column[], options: ReadOptions, handlers: Handlers): Promise<LandingTally> {
    return new Promise((resolve, reject) => {
      if (this.broken) return reject(this.broken);
      this.queue.push({ ...handlers, id: (this.nextId += 1), files, columns: [...columns], options, resolve, reject });
      this.dispatch();
    });
  }

  /** Ends the threads; jobs not finished fail once they have, so their callers find the jobs' files closed. */
  async close(): Promise<void> {
    const workers = [...this.idle, ...this.busy.keys()];
    this.idle.length = 0;
    this.broken ??= new Error('the landing pool was closed before its jobs finished');
    await Promise.all(workers.map((w) => w.terminate()));
    this.fail(this.broken);
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      const worker = this.idle.pop() ?? (this.started < this.size ? this.start() : undefined);
      if (!worker) return;
      const job = this.queue.shift()!;
      this.busy.set(worker, job);
      const { id, files, columns, options, parquet } = job;
      worker.postMessage({ kind: 'job', job: { id, files, columns, options, parquet } } satisfies ToWorker);
    }
  }

  private start(): Worker {
    this.started += 1;
    const worker = newWorker();
    worker.on('message', (message: FromWorker) => {
      const job = this.busy.get(worker);
      if (!job || job.id !== message.id) return;
      try {
        if (message.kind === 'quarantine') job.quarantine(message.line);
        else this.finish(worker, job, message);
      } catch (error) {
        // The consumer refused a quarantined line: this job fails, and the worker is replaced (its reader is still running).
        // It fails once the thread has ended, which closes the job's Parquet file: its caller then removes a closed file.
        this.busy.delete(worker);
        this.started -= 1;
        void worker.terminate().finally(() => {
          job.reject(error as Error);
          this.dispatch();
        });
      }
    });
    const died = (error: Error): void => {
      if (!this.busy.has(worker) && !this.idle.includes(worker)) return;
      // Closing: close() fails the jobs once every thread has ended.
      if (this.broken) return;
      this.fail(error);
    };
    worker.on('error', died);
    worker.on('exit', (code) => died(new Error(`a landing reader's worker thread exited (code ${code}) before it finished`)));
    return worker;
  }

  private finish(worker: Worker, job: Pending, message: Extract<FromWorker, { kind: 'done' | 'error' }>): void {
    this.busy.delete(worker);
    this.idle.push(worker);
    if (message.kind === 'done') job.resolve(message.tally);
    else {
      const { name, code, syscall, path } = message;
      job.reject(Object.assign(new Error(message.message), { name }, code === undefined ? {} : { code, syscall, path }));
    }
    this.dispatch();
  }

  /** A worker died or the pool closed: every job not yet finished fails. */
  private fail(error: Error): void {
    this.broken ??= error;
    for (const job of [...this.busy.values(), ...this.queue.splice(0)]) job.reject(this.broken);
    this.busy.clear();
  }
}
