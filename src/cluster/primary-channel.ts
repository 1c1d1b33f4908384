import { type ToPrimary, type ToWorker, isStedi } from './messages';
import { type ErrorCode, StediError } from '../errors';

type Request = Extract<ToPrimary, { stedi: 'request' }>;
type DistributiveOmit<T, K extends keyof T> = T extends unknown ? Omit<T, K> : never;

/** A worker's IPC channel to its primary: pushed messages by kind, and requests answered by a reply. */
export class PrimaryChannel {
  private next = 0;
  private readonly waiting = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void; timer: NodeJS.Timeout }>();
  private readonly handlers = new Map<string, (message: never) => void>();

  constructor(private readonly timeoutMs = 10_000) {
    process.on('message', (message: unknown) => {
      if (!isStedi(message)) return;
      const m = message as ToWorker;
      if (m.stedi === 'reply') return this.settle(m);
      (this.handlers.get(m.stedi) as ((message: ToWorker) => void) | undefined)?.(m);
    });
  }

  on<K extends ToWorker['stedi']>(kind: K, handler: (message: Extract<ToWorker, { stedi: K }>) => void): void {
    this.handlers.set(kind, handler as (message: never) => void);
  }

  /**
   * A primary killed (kill -9) closes the channel under a worker still sending: the failed send goes to `failed` (else
   * nowhere), not to an 'error' event nobody handles, which ended the worker with an EPIPE stack trace on stderr.
   * The worker exits as the channel closes (Node's cluster does that on 'disconnect').
   */
  send(message: ToPrimary, failed: (error: Error) => void = () => undefined): void {
    if (process.connected) process.send?.(message, undefined, {}, (error: Error | null) => error && failed(error));
  }

  request(request: DistributiveOmit<Request, 'stedi' | 'id'>): Promise<unknown> {
    const id = (this.next += 1);
    return new Promise((resolve, reject) => {
      if (!process.connected) return reject(new Error('the cluster primary is gone'));
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error(`the cluster primary did not answer ${request.what} within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      this.waiting.set(id, { resolve, reject, timer });
      this.send({ ...request, stedi: 'request', id } as Request, (error) => {
        clearTimeout(timer);
        this.waiting.delete(id);
        reject(new Error(`the cluster primary is gone (${error.message})`));
      });
    });
  }

  private settle(reply: Extract<ToWorker, { stedi: 'reply' }>): void {
    const waiter = this.waiting.get(reply.id);
    if (!waiter) return;
    this.waiting.delete(reply.id);
    clearTimeout(waiter.timer);
    if (reply.error !== undefined) waiter.reject(reply.code ? new StediError(reply.code as ErrorCode, reply.error) : new Error(reply.error));
    else waiter.resolve(reply.value);
  }
}
