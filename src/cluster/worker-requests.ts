import type { Logger } from '../logger';
import type { ToPrimary, ToWorker } from './messages';

/** What the primary does for a worker's request (messages.ts), one handler for each kind it is asked. */
export interface WorkerRequestHandlers {
  rebuild(consentPolicy: Extract<ToPrimary, { what: 'rebuild' }>['consentPolicy']): Promise<unknown>;
  listen(): Promise<unknown>;
  metrics(): Promise<unknown>;
}

/** The reply to one request: its value, or its error as the worker may say it to the caller. */
export async function replyTo(request: Extract<ToPrimary, { stedi: 'request' }>, handlers: WorkerRequestHandlers, logger: Logger): Promise<ToWorker> {
  try {
    const value = request.what === 'rebuild' ? await handlers.rebuild(request.consentPolicy) : request.what === 'listen' ? await handlers.listen() : await handlers.metrics();
    return { stedi: 'reply', id: request.id, value };
  } catch (error) {
    // A caller's error (a lake that cannot be rebuilt as asked) keeps its code and message across the process boundary.
    // Loaded only here: error-mapping brings graphql and type-graphql, which an idle primary never needs.
    const safe = (await import('../graphql/error-mapping')).clientError(error);
    if (safe) return { stedi: 'reply', id: request.id, error: safe.message, code: safe.code };
    logger.error({ err: error, request: request.what }, 'a worker request failed');
    return { stedi: 'reply', id: request.id, error: (error as Error).message };
  }
}
