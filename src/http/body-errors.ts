import type { NextFunction, Request, Response } from 'express';
import { ErrorCode } from '../errors';
import { MESSAGES } from '../graphql/error-mapping';
import { sendError } from './http-errors';
import { requestLogOf, requestIdOf } from './request-context';

/**
 * The app's last error handler: body-parser's errors (too large, not JSON)
 * become clear client errors; anything else is logged and answered as an
 * internal error without details.
 */
export function bodyLimitMessage(limit: string): string {
  return `the request body is larger than the limit of ${limit}; send a smaller query (put large values in variables, page with first/after) or raise STEDI_BODY_LIMIT`;
}

export function errorHandler(bodyLimit: string) {
  return (error: unknown, _req: Request, res: Response, _next: NextFunction): void => {
    const type = (error as { type?: string }).type;
    if (type === 'entity.too.large') return sendError(res, ErrorCode.BAD_USER_INPUT, bodyLimitMessage(bodyLimit), 413);
    if (type === 'entity.parse.failed') return sendError(res, ErrorCode.BAD_USER_INPUT, 'the request body is not valid JSON');
    if (type === 'encoding.unsupported' || type === 'charset.unsupported') return sendError(res, ErrorCode.BAD_USER_INPUT, 'send the body as UTF-8 JSON', 415);
    requestLogOf(res).error({ err: error }, 'unhandled error');
    sendError(res, ErrorCode.INTERNAL_SERVER_ERROR, MESSAGES.internal(requestIdOf(res)));
  };
}
