import type { Response } from 'express';
import { ErrorCode, HTTP_STATUS } from '../errors';

/**
 * Errors answered outside GraphQL execution (auth, body limit, export
 * arguments) have the same shape as GraphQL errors, so a client reads
 * `errors[0].extensions.code` whichever way it called.
 */
export function sendError(res: Response, code: ErrorCode, message: string, status: number = HTTP_STATUS[code]): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.status(status).json({ errors: [{ message, extensions: { code } }] });
}
