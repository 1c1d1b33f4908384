import { HeaderMap } from '@apollo/server';
import type { RequestPlugin } from './one-plugin';
import type { RequestHandler } from 'express';
import { ErrorCode, StediError } from '../errors';
import type { GraphqlContext } from '../graphql/context';
import { clientGone, stopIfGone } from '../graphql/still-wanted';
import { decidedAsksForData } from './data-requests';
import { sendError } from './http-errors';
import { principalOf } from './request-context';
import type { RowsInFlight } from './rows-in-flight';

/**
 * Requests for data one API key may have in flight in a server process (STEDI_KEY_CONCURRENCY): GraphQL queries
 * that ask the lake for something (data-requests.ts) and exports. Up to STEDI_KEY_QUEUE more wait, in arrival order,
 * for at most STEDI_KEY_QUEUE_MS; any beyond, or a wait that runs out, is refused with 429 RATE_LIMITED and Retry-After. One key
 * sending 40 heavy queries at once held every engine connection, and another key's small query waited a second behind
 * them. Not counted: mutations (an admin's rebuild), introspection, answers kept whole (they read nothing), probes.
 */

// bodies_arriving: refused before its body was read (body-admission.ts limitArrivingBodies).
export type Refusal = 'queue_full' | 'waited' | 'bodies_arriving';

/** A request's place: `admitted` settles once it may run (or is refused); `leave` frees the place, whichever it holds. */
export interface Ticket {
  admitted: Promise<void>;
  /** Admitted as it came (a place was free): nothing to wait for. */
  admittedAtOnce?: boolean;
  leave(): void;
}

interface Waiter {
  admit(): void;
  timer: NodeJS.Timeout;
}

interface KeyState {
  running: number;
  waiting: Waiter[];
}

/** Seconds a refused client is told to wait: about as long as a queued request would have. */
export const retryAfterSeconds = (queueMs: number): number => Math.max(1, Math.ceil(queueMs / 1000));

export class KeyConcurrency {
  private readonly keys = new Map<string, KeyState>();

  constructor(
    /** Requests one key runs at once; 0: no limit. */
    readonly limit: number,
    /** Requests of one key that may wait for a place. */
    readonly queue: number,
    readonly queueMs: number,
    private readonly onRefused: (route: 'graphql' | 'export', reason: Refusal) => void = () => undefined,
  ) {}

  /** Requests `keyId` has running and waiting now (for tests and diagnostics). */
  inFlight(keyId: string): { running: number; waiting: number } {
    const state = this.keys.get(keyId);
    return { running: state?.running ?? 0, waiting: state?.waiting.length ?? 0 };
  }

  enter(keyId: string, route: 'graphql' | 'export'): Ticket {
    if (this.limit === 0) return { admitted: Promise.resolve(), admittedAtOnce: true, leave: () => undefined };
    let state = this.keys.get(keyId);
    if (!state) this.keys.set(keyId, (state = { running: 0, waiting: [] }));
    const key = state;
    let place: 'running' | 'waiting' | 'gone' = 'waiting';
    let waiter: Waiter | undefined;
    const leave = (): void => {
      if (place === 'running') {
        key.running -= 1;
        this.admitNext(key);
      } else if (place === 'waiting' && waiter) {
        clearTimeout(waiter.timer);
        key.waiting.splice(key.waiting.indexOf(waiter), 1);
      }
      place = 'gone';
      this.forgetIfIdle(keyId, key);
    };
    if (key.running < this.limit) {
      key.running += 1;
      place = 'running';
      return { admitted: Promise.resolve(), admittedAtOnce: true, leave };
    }
    if (key.waiting.length >= this.queue) {
      place = 'gone';
      this.onRefused(route, 'queue_full');
      return { admitted: Promise.reject(this.refusal('queue_full')), leave };
    }
    const admitted = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        key.waiting.splice(key.waiting.indexOf(waiter!), 1);
        place = 'gone';
        this.forgetIfIdle(keyId, key);
        this.onRefused(route, 'waited');
        reject(this.refusal('waited'));
      }, this.queueMs);
      timer.unref();
      waiter = {
        timer,
        admit: () => {
          place = 'running';
          resolve();
        },
      };
      key.waiting.push(waiter);
    });
    // A refusal nobody awaits (the request ended meanwhile) is not an unhandled rejection.
    admitted.catch(() => undefined);
    return { admitted, leave };
  }

  /** A key with nothing running or waiting is dropped (only its own state: a new one may have replaced it since). */
  private forgetIfIdle(keyId: string, key: KeyState): void {
    if (key.running === 0 && key.waiting.length === 0 && this.keys.get(keyId) === key) this.keys.delete(keyId);
  }

  private admitNext(key: KeyState): void {
    while (key.running < this.limit && key.waiting.length > 0) {
      const next = key.waiting.shift()!;
      clearTimeout(next.timer);
      key.running += 1;
      next.admit();
    }
  }

  /** RATE_LIMITED, with the status and Retry-After Apollo reads from an error's extensions.http (and leaves out of the answer). */
  private refusal(reason: Refusal): StediError {
    const seconds = retryAfterSeconds(this.queueMs);
    const why =
      reason === 'queue_full'
        ? `this API key already has ${this.limit} requests for data running and ${this.queue} waiting in this server process`
        : `this API key's request waited ${this.queueMs} ms behind its other ${this.limit} requests for data and none finished`;
    const error = new StediError(ErrorCode.RATE_LIMITED, `${why} (STEDI_KEY_CONCURRENCY); wait for your answers before sending more, or retry after ${seconds} s`);
    (error.extensions as Record<string, unknown>).http = { status: 429, headers: new HeaderMap([['retry-after', String(seconds)]]) };
    return error;
  }
}

/**
 * The limit on GraphQL operations: a place is taken once the operation is known, and freed as its answer is sent. Once
 * admitted, its rows are counted against the process's bound (rows-in-flight.ts) until the answer has left.
 */
export function keyConcurrencyPlugin(gate: KeyConcurrency | undefined, rows?: RowsInFlight): RequestPlugin<GraphqlContext> {
  return {
    requestDidStart() {
      let ticket: Ticket | undefined;
      return {
        didResolveOperation({ document, operation, contextValue }) {
          const keyId = contextValue.principal?.keyId;
          if (!operation || operation.operation !== 'query' || contextValue.replay || !keyId) return undefined;
          if (!decidedAsksForData(document, operation)) return undefined;
          const takeRows = (): void => {
            if (rows && contextValue.askedRows && contextValue.answer) rows.take(contextValue.askedRows, contextValue.answer);
          };
          if (gate) {
            ticket = gate.enter(keyId, 'graphql');
            // A place free at once (most requests): it runs on in this turn, without a wait or a promise.
            if (!ticket.admittedAtOnce) return admittedUnlessGone(ticket, contextValue.gone).then(takeRows);
            if (contextValue.gone) stopIfGone(contextValue.gone);
          }
          takeRows();
          return undefined;
        },
        // Also called when this request is refused, or another check refuses it while it waits: its place goes.
        willSendResponse() {
          ticket?.leave();
        },
      };
    },
  };
}

/** A request whose client goes while it waits leaves the queue at once (willSendResponse frees its place), never to run. */
async function admittedUnlessGone(ticket: Ticket, gone: AbortSignal | undefined): Promise<void> {
  if (!gone) return ticket.admitted;
  stopIfGone(gone);
  let onAbort: (() => void) | undefined;
  const left = new Promise<never>((_resolve, reject) => gone.addEventListener('abort', (onAbort = () => reject(clientGone())), { once: true }));
  try {
    await Promise.race([ticket.admitted, left]);
  } finally {
    gone.removeEventListener('abort', onAbort!);
  }
  stopIfGone(gone);
}

/** The limit on exports, after authentication: the place is held until the answer is sent or the client goes. */
export function keyConcurrencyMiddleware(gate: KeyConcurrency): RequestHandler {
  return (_req, res, next) => {
    const keyId = principalOf(res)?.keyId;
    if (!keyId) return next();
    const ticket = gate.enter(keyId, 'export');
    res.once('close', ticket.leave);
    ticket.admitted.then(
      () => (res.destroyed ? undefined : next()),
      (error: StediError) => {
        if (res.destroyed) return;
        res.setHeader('Retry-After', String(retryAfterSeconds(gate.queueMs)));
        sendError(res, ErrorCode.RATE_LIMITED, error.message);
      },
    );
  };
}
