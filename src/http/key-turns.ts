import type { RequestHandler } from 'express';
import { ErrorCode } from '../errors';
import { sendError } from './http-errors';
import { type Refusal, retryAfterSeconds } from './key-concurrency';
import { principalOf } from './request-context';

/**
 * GraphQL requests of one API key begin at most DOCUMENTS_PER_TURN an event-loop turn, every key's in its own
 * queue; the rest wait for later turns. Parsing, validating and refusing a document (or answering introspection) is
 * main-thread work with nothing to wait for, so the key limit (key-concurrency.ts), which counts requests for data
 * once validated, never saw it: 64 junk documents at once from one key were all worked through in the loop turn
 * their bodies arrived in, and another key's small query waited behind them, 1 s at p50. Now each turn begins one
 * of that key's documents and every other key's request that arrived, so a key's flood slows that key alone.
 * A key may have as many waiting as its requests for data may run and wait (STEDI_KEY_CONCURRENCY +
 * STEDI_KEY_QUEUE), each for at most STEDI_KEY_QUEUE_MS; beyond, 429 RATE_LIMITED with Retry-After.
 */
export const DOCUMENTS_PER_TURN = 1;

interface Waiter {
  begin(): void;
  timer: NodeJS.Timeout;
}

export class KeyTurns {
  /** Keys that began a request in this turn, and how many. */
  private readonly begun = new Map<string, number>();
  private readonly waiting = new Map<string, Waiter[]>();
  private turnAhead = false;

  constructor(
    /** Requests of one key that may wait for a turn; 0: no turns are kept (every request begins at once). */
    readonly places: number,
    readonly queueMs: number,
    private readonly onRefused: (reason: Refusal) => void = () => undefined,
  ) {}

  /** Requests `keyId` has waiting for a turn now (for tests and diagnostics). */
  waitingOf(keyId: string): number {
    return this.waiting.get(keyId)?.length ?? 0;
  }

  /** After authentication and the body: the request goes on in its key's turn, or is refused. */
  readonly handler: RequestHandler = (_req, res, next) => {
    const keyId = principalOf(res)?.keyId;
    if (this.places === 0 || !keyId) return next();
    const queue = this.waiting.get(keyId);
    if (!queue && (this.begun.get(keyId) ?? 0) < DOCUMENTS_PER_TURN) {
      this.began(keyId);
      return next();
    }
    if ((queue?.length ?? 0) >= this.places) return this.refuse(res, 'queue_full');
    const waiter: Waiter = {
      begin: () => {
        res.off('close', gone);
        if (!res.destroyed) next();
      },
      timer: setTimeout(() => {
        this.remove(keyId, waiter);
        res.off('close', gone);
        this.refuse(res, 'waited');
      }, this.queueMs),
    };
    const gone = (): void => {
      clearTimeout(waiter.timer);
      this.remove(keyId, waiter);
    };
    res.once('close', gone);
    if (queue) queue.push(waiter);
    else this.waiting.set(keyId, [waiter]);
    this.turnAfter();
  };

  private began(keyId: string): void {
    this.begun.set(keyId, (this.begun.get(keyId) ?? 0) + 1);
    this.turnAfter();
  }

  /** The next turn (setImmediate: after this turn's I/O) forgets who began and begins the next waiting of each key. */
  private turnAfter(): void {
    if (this.turnAhead) return;
    this.turnAhead = true;
    setImmediate(() => {
      this.turnAhead = false;
      this.begun.clear();
      for (const [keyId, queue] of this.waiting) {
        for (let n = 0; n < DOCUMENTS_PER_TURN && queue.length > 0; n += 1) {
          const waiter = queue.shift()!;
          clearTimeout(waiter.timer);
          this.began(keyId);
          waiter.begin();
        }
        if (queue.length === 0 && this.waiting.get(keyId) === queue) this.waiting.delete(keyId);
      }
    });
  }

  private remove(keyId: string, waiter: Waiter): void {
    const queue = this.waiting.get(keyId);
    const at = queue?.indexOf(waiter) ?? -1;
    if (at < 0) return;
    queue!.splice(at, 1);
    if (queue!.length === 0) this.waiting.delete(keyId);
  }

  private refuse(res: Parameters<RequestHandler>[1], reason: Refusal): void {
    if (res.destroyed) return;
    this.onRefused(reason);
    const seconds = retryAfterSeconds(this.queueMs);
    const why =
      reason === 'queue_full'
        ? `this API key already has ${this.places} GraphQL requests waiting to begin in this server process`
        : `this API key's GraphQL request waited ${this.queueMs} ms behind its other requests to begin`;
    res.setHeader('Retry-After', String(seconds));
    sendError(res, ErrorCode.RATE_LIMITED, `${why} (STEDI_KEY_CONCURRENCY and STEDI_KEY_QUEUE); wait for your answers before sending more, or retry after ${seconds} s`);
  }
}
