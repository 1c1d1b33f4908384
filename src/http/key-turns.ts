import { AsyncResource } from 'node:async_hooks';
import type { RequestHandler } from 'express';
import { ErrorCode } from '../errors';
import { sendError } from './http-errors';
import { type Refusal, retryAfterSeconds } from './key-concurrency';
import { principalOf } from './request-context';
import { whenFinished } from './response-closed';

/**
 * GraphQL requests of one API key begin at most DOCUMENTS_PER_TURN an event-loop turn, every key's in its own
 * queue; the rest wait for later turns. Parsing, validating and refusing a document (or answering introspection) is
 * main-thread work with nothing to wait for, so the key limit (key-concurrency.ts), which counts requests for data
 * once validated, never saw it: 64 junk documents at once from one key were all worked through in the loop turn
 * their bodies arrived in, and another key's small query waited behind them, 1 s at p50. Now each turn begins one
 * of that key's documents and every other key's request that arrived, so a key's flood slows that key alone. A key
 * in good standing alone in a turn begins up to ALONE_PER_TURN of its requests at once (alone()): no other key to share with.
 * A key may have as many waiting as its requests for data may run and wait (STEDI_KEY_CONCURRENCY +
 * STEDI_KEY_QUEUE), each for at most STEDI_KEY_QUEUE_MS; beyond, 429 RATE_LIMITED with Retry-After.
 */
export const DOCUMENTS_PER_TURN = 1;

/**
 * Requests a key alone in a turn begins in it: the clients a turn keeps out are not only those of other keys seen
 * waiting. A cluster worker is handed one new connection a turn (Node's handle passing waits for the worker's ack), so
 * one key's flood over 200 kept-alive connections, every one of its requests begun in the turn it came, made turns of
 * 100 ms and more; any other client's new connection waited in the primary behind the flood's, a /healthz 13 s.
 */
export const ALONE_PER_TURN = 16;

/**
 * A key whose request was refused as a client's mistake (400) in the last REFUSED_KEY_MS is a refusing key: refusing
 * keys together begin one request a turn, after every other key's. Turns per key leave a flood spread over many keys
 * as it was: 20 keys looping junk documents held another key's small query 690 ms at p50 (5.4 s p99).
 */
export const REFUSED_KEY_MS = 1_000;
const REFUSING_KEYS_PER_TURN = 1;

interface Waiter {
  begin(): void;
  timer: NodeJS.Timeout;
}

export class KeyTurns {
  /** Keys that began a request in this turn, and how many. */
  private readonly begun = new Map<string, number>();
  private readonly waiting = new Map<string, Waiter[]>();
  private turnAhead = false;
  /** Refusing keys, until when (performance.now()). */
  private readonly refusedUntil = new Map<string, number>();
  private refusingBegun = 0;

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
    whenFinished(res, () => {
      if (res.statusCode === 400) this.refusedUntil.set(keyId, performance.now() + REFUSED_KEY_MS);
    });
    const queue = this.waiting.get(keyId);
    if (!queue && ((this.begun.get(keyId) ?? 0) < DOCUMENTS_PER_TURN || this.alone(keyId)) && this.mayBegin(keyId)) {
      this.began(keyId);
      return next();
    }
    if ((queue?.length ?? 0) >= this.places) return this.refuse(res, 'queue_full');
    const waiter: Waiter = {
      // In its own request's async context, not the turn's: begun from another request's immediate, every later
      // step (its log lines, its rows' give-back, its bytes answer) took that request for its own.
      begin: AsyncResource.bind(() => {
        res.off('close', gone);
        if (!res.destroyed) next();
      }),
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

  /** Whether the key may begin a request in this turn by its standing: a refusing key only while none other has. */
  private mayBegin(keyId: string): boolean {
    const until = this.refusedUntil.get(keyId);
    if (until === undefined) return true;
    if (until <= performance.now()) {
      this.refusedUntil.delete(keyId);
      return true;
    }
    return this.refusingBegun < REFUSING_KEYS_PER_TURN;
  }

  /**
   * Whether `keyId` is the only key that began or waits in this turn, below ALONE_PER_TURN: its requests then begin at once, as turns are
   * for sharing a turn between keys. Taking turns alone, one request of 32 connections of one key a turn, cost that
   * key's small queries 16% of their throughput (cache off; A/B, 3 runs each) and had some refused 429 on a busy machine.
   */
  private alone(keyId: string): boolean {
    return this.waiting.size === 0 && this.begun.size === 1 && this.begun.has(keyId) && this.begun.get(keyId)! < ALONE_PER_TURN && !this.refusedUntil.has(keyId);
  }

  private began(keyId: string): void {
    this.begun.set(keyId, (this.begun.get(keyId) ?? 0) + 1);
    if (this.refusedUntil.has(keyId)) this.refusingBegun += 1;
    this.turnAfter();
  }

  /** The next turn (setImmediate: after this turn's I/O) forgets who began and begins the next waiting of each key. */
  private turnAfter(): void {
    if (this.turnAhead) return;
    this.turnAhead = true;
    setImmediate(() => {
      this.turnAhead = false;
      this.begun.clear();
      this.refusingBegun = 0;
      // Keys in good standing first, then refusing keys while their share lasts; a key served goes to the back.
      const keys = [...this.waiting.keys()];
      // The only key waiting, in good standing: up to ALONE_PER_TURN of its requests begin (alone()).
      const perKey = keys.length === 1 && !this.refusedUntil.has(keys[0]!) ? ALONE_PER_TURN : DOCUMENTS_PER_TURN;
      for (const refusing of [false, true]) {
        for (const keyId of keys) {
          const queue = this.waiting.get(keyId);
          if (!queue || this.refusedUntil.has(keyId) !== refusing || !this.mayBegin(keyId)) continue;
          for (let n = 0; n < perKey && queue.length > 0; n += 1) {
            const waiter = queue.shift()!;
            clearTimeout(waiter.timer);
            this.began(keyId);
            waiter.begin();
          }
          this.waiting.delete(keyId);
          if (queue.length > 0) this.waiting.set(keyId, queue);
        }
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
