import { awsErrorText, httpStatusOf, isAnswer, isConditionFailed, isMissingObject, isNotImplemented } from './aws-error-text';
import { ManifestChangedError, ManifestWriteUnknownError } from './manifest-write-errors';

/**
 * What a build's conditional manifest PUT did, told from S3's answers: published, refused (nothing written), or
 * unknown. A PUT whose answer was lost may land later, after the build pointed the live views back; so it is
 * settled by sending the same PUT again rather than by reading once (s3-lake.ts sends and reads).
 */

// An answer that refused the request (403, 400, ...): it wrote nothing.
const refused = (error: unknown): boolean => httpStatusOf(error) >= 400 && httpStatusOf(error) < 500;

// An answer that says the PUT was not carried out: a refusal, or a store that does not implement it.
const answered = (error: unknown): boolean => refused(error) || isNotImplemented(error);

// 409 ConditionalRequestConflict: another write of the object was in progress.
const inConflict = (error: unknown): boolean => isAnswer(error, ['ConditionalRequestConflict'], [409]);

/**
 * Resolves once the manifest is written. `put` sends the conditional PUT and resolves to its error (undefined once
 * written); `holds` says whether the manifest is this one now (undefined: it could not be read).
 */
export async function settleManifestPut(url: string, put: () => Promise<unknown>, holds: () => Promise<boolean | undefined>): Promise<void> {
  let error = await put();
  if (error === undefined) return;
  const lost = !answered(error);
  if (lost) {
    // No answer (a time limit, a dropped connection, a server error): the PUT may have landed, or may land later.
    // The same PUT again settles it: it lands, and the lost one (its condition names the copy this one replaced)
    // never can; or it is refused, as something landed, and what is there says whether it is this manifest.
    error = await put();
    if (error === undefined) return;
    if (!answered(error)) {
      if ((await holds()) === true) return;
      throw new ManifestWriteUnknownError(url, error);
    }
  }
  // 412 another ETag (or an object where none was expected), 409 a concurrent write, 404 deleted.
  if (isConditionFailed(error) || isMissingObject(error)) {
    // The SDK tries a PUT whose answer was lost again: what refused it may be this very manifest, landed.
    const now = await holds();
    if (now === true) return;
    // Unread, it may name this build's version: its data must stay. So must it after a 409: the write in progress it
    // names may be this build's own lost PUT, landing later.
    if (now === undefined || inConflict(error)) throw new ManifestWriteUnknownError(url, error);
    throw new ManifestChangedError(url, error);
  }
  if (isNotImplemented(error)) {
    throw new Error(
      `the S3 store of ${url} answers a conditional PutObject ${awsErrorText(error)}, which publishing needs so two builds never publish over each other: use a bucket on AWS S3 (conditional writes since November 2024) or a store that honours If-Match and If-None-Match on PutObject; nothing was published`,
      { cause: error },
    );
  }
  // Refused for a reason that says nothing of an earlier try (a 400 RequestTimeout, credentials that expired): a
  // lost first PUT, or the SDK's first attempt, may have landed, or land yet; read back as after a 412.
  const now = await holds();
  if (now === true) return;
  if (lost || now === undefined) throw new ManifestWriteUnknownError(url, error);
  throw error;
}
