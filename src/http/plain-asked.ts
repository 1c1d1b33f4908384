import type { Request } from 'express';
import type { Asked } from './response-cache';

/**
 * A POSTed query that Apollo answers as a single application/json answer and whose fields pass Apollo's own checks of
 * a POST body as they are: only query, variables and operationName (no `extensions`, so no APQ), and an Accept that
 * Apollo does not negotiate to another type. What answers such a request before Apollo (kept-answers.ts,
 * parse-refusals.ts) writes it as Apollo would; anything else goes on to Apollo unchanged.
 */

const FIELDS = new Set(['query', 'variables', 'operationName']);
// Apollo answers these with application/json; any other Accept is negotiated by Apollo itself.
const PLAIN_ACCEPT = new Set([undefined, '*/*', 'application/json']);

export function plainAsked(req: Request): Asked | null {
  if (req.method !== 'POST' || !PLAIN_ACCEPT.has(req.headers.accept)) return null;
  const body = req.body as Record<string, unknown> | undefined;
  if (!body || typeof body !== 'object' || Array.isArray(body) || typeof body.query !== 'string') return null;
  for (const field in body) if (!FIELDS.has(field)) return null;
  const { variables, operationName } = body;
  if (variables !== undefined && variables !== null && (typeof variables !== 'object' || Array.isArray(variables))) return null;
  if (operationName !== undefined && operationName !== null && typeof operationName !== 'string') return null;
  return { query: body.query, variables: variables as Asked['variables'], operationName: operationName as Asked['operationName'] };
}
