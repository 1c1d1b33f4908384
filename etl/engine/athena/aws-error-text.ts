import { EngineUnavailableError, EngineUnreachableError } from '../engine-errors';

/** An AWS SDK error as one short line for a message: its name and the first line of its text. */
export function awsErrorText(error: unknown): string {
  const e = error as { name?: string; Code?: string; message?: string } | undefined;
  const name = e?.name && e.name !== 'Error' ? e.name : (e?.Code ?? 'error');
  const text = (e?.message ?? String(error)).split('\n')[0].trim();
  return text && text !== name ? `${name}: ${text}` : name;
}

// Private: what AWS answers when it refuses the credentials themselves (not a missing permission).
const REFUSED_CREDENTIALS = new Set(['ExpiredToken', 'ExpiredTokenException', 'UnrecognizedClientException', 'InvalidClientTokenId', 'InvalidAccessKeyId', 'SignatureDoesNotMatch']);

// Private: the call never reached AWS (no DNS, no route, refused or timed out).
const UNREACHABLE = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENETUNREACH', 'EHOSTUNREACH']);

const UNREACHABLE_FIX = 'AWS could not be reached (the network, a proxy or a firewall, or a misspelt AWS_REGION): check that this machine reaches AWS, then try again';

/** The call never reached AWS, or its answer stalled past STEDI_AWS_TIMEOUT_MS. */
export function isUnreachable(error: unknown): boolean {
  const e = error as { name?: string; code?: string } | undefined;
  return UNREACHABLE.has(e?.code ?? '') || e?.name === 'TimeoutError';
}

/** The HTTP status of an AWS answer; 0 when there was none. */
export function httpStatusOf(error: unknown): number {
  return (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode ?? 0;
}

/** An AWS answer by one of `names`, or by one of `statuses`. */
export function isAnswer(error: unknown, names: readonly string[], statuses: readonly number[]): boolean {
  return names.includes((error as { name?: string } | undefined)?.name ?? '') || statuses.includes(httpStatusOf(error));
}

/** S3 answered that the object is not there. */
export const isMissingObject = (error: unknown): boolean => isAnswer(error, ['NoSuchKey', 'NotFound'], [404]);

/** S3 refused a conditional request because its condition failed: 412 (another ETag, or an object where none was expected) or 409 (a concurrent write). */
export const isConditionFailed = (error: unknown): boolean => isAnswer(error, ['PreconditionFailed', 'ConditionalRequestConflict'], [409, 412]);

/** The store does not implement what was asked (a header such as DeleteObject's If-Match): 501 NotImplemented. */
export const isNotImplemented = (error: unknown): boolean => isAnswer(error, ['NotImplemented'], [501]);

/** `error` as EngineUnreachableError when AWS was out of reach (`what` failed, with the fix), else as it is. */
export function unreachableOr(error: unknown, what: string): unknown {
  return isUnreachable(error) ? new EngineUnreachableError(`${what} (${awsErrorText(error)}): ${UNREACHABLE_FIX}`, error) : error;
}

/** AWS answered that it failed on its own side: HTTP 5xx (left after the SDK's retries), but not 501, a store lacking a feature. */
export const isServerFault = (error: unknown): boolean => httpStatusOf(error) >= 500 && !isNotImplemented(error);

/** Whose side a server fault is, with its HTTP status and request id (what AWS support asks for), and to retry. */
function serverFaultFix(error: unknown): string {
  const id = (error as { $metadata?: { requestId?: string } } | undefined)?.$metadata?.requestId;
  return `a failure on AWS's side (HTTP ${httpStatusOf(error)}${id ? `, request id ${id}` : ''}), not in the request, the lake or the set-up: retry in a few minutes`;
}

/**
 * `error` as EngineUnavailableError when `service` failed on its side (`what` failed: the service, its error and request id,
 * whose side it is and to retry), as EngineUnreachableError when AWS was out of reach, else as it is.
 */
export function unavailableOr(error: unknown, service: 'Athena' | 'S3' | 'Glue', what: string): unknown {
  if (!isServerFault(error)) return unreachableOr(error, what);
  const e = error as { name?: string; Code?: string };
  const name = e.name && e.name !== 'Error' ? e.name : (e.Code ?? 'an error');
  return new EngineUnavailableError(`${what}: ${service} answered ${name}, ${serverFaultFix(error)}`, error);
}

/**
 * The fix for a failed AWS call: `grant` (the permission to add) when AWS refused the call, but
 * the set-up's own fix when the call never had credentials or a region, or AWS refused the
 * credentials: granting a permission does not help there.
 */
export function awsFix(error: unknown, grant: string): string {
  const e = error as { name?: string; message?: string; code?: string } | undefined;
  if (isUnreachable(error)) return UNREACHABLE_FIX;
  // A permission granted would not help: the service failed on its side.
  if (isServerFault(error)) return serverFaultFix(error);
  if (e?.name === 'CredentialsProviderError') {
    return 'no AWS credentials were found: set AWS_PROFILE (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), run `aws sso login`, or run with an instance or task role';
  }
  if (/^Region is missing/.test(e?.message ?? '')) return 'no AWS region is set: set AWS_REGION (or pass --region)';
  const region = otherRegion(error);
  if (region !== undefined) {
    const named = region ? `region ${region}` : 'another region';
    return `the bucket is in ${named}, not the one this command uses: set AWS_REGION (or pass --region) to ${region || 'the bucket\'s region (aws s3api get-bucket-location)'}; Athena, Glue and the lake's bucket are used in one region`;
  }
  if (REFUSED_CREDENTIALS.has(e?.name ?? '')) return 'AWS refused the credentials (expired or invalid): renew them (for example `aws sso login`) and try again';
  return grant;
}

/**
 * S3 answering that the bucket is in another region than the client's (a 301 PermanentRedirect, or a signature for
 * the wrong region): the bucket's region when the answer names it, '' when not; undefined for any other error.
 */
function otherRegion(error: unknown): string | undefined {
  const e = error as { name?: string; message?: string; Region?: string; Endpoint?: string } | undefined;
  if (e?.name === 'AuthorizationHeaderMalformed' && /region '[^']*' is wrong/.test(e.message ?? '')) return e.Region ?? /expecting '([a-z0-9-]+)'/.exec(e.message ?? '')?.[1] ?? '';
  if (e?.name !== 'PermanentRedirect' && !(httpStatusOf(error) === 301)) return undefined;
  const endpoint = e?.Endpoint ?? '';
  // bucket.s3.us-east-2.amazonaws.com (or s3-us-east-2, s3.dualstack.…); bucket.s3.amazonaws.com is us-east-1.
  return /\.s3[.-](?:dualstack\.)?([a-z]{2}(?:-[a-z]+)+-\d+)\.amazonaws\.com/.exec(endpoint)?.[1] ?? (/\.s3\.amazonaws\.com$/.test(endpoint) ? 'us-east-1' : '');
}
