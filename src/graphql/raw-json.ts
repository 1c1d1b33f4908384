import { randomBytes } from 'node:crypto';

/**
 * JSON text made by a resolver (rendered-edges.ts) and written into the
 * answer as it is: the resolver returns a token string in its place, and the
 * answer's JSON has each token's quoted text replaced by its JSON. Tokens
 * belong to one request's context, then to its result's data object (the
 * executor moves them, jit-executor.ts), so a token is only ever replaced in
 * the answer that made it, and texts go with the request. A token holds a
 * random per-process nonce, so no value of the data can be taken for one.
 */

const NONCE = randomBytes(16).toString('hex');
let counter = 0;

const byContext = new WeakMap<object, Map<string, string>>();
const byData = new WeakMap<object, Map<string, string>>();

/** A token standing for `json` in the answer of the request whose context is `context`. */
export function rawJsonToken(context: object, json: string): string {
  let texts = byContext.get(context);
  if (!texts) byContext.set(context, (texts = new Map()));
  counter = (counter + 1) % Number.MAX_SAFE_INTEGER;
  const token = `stedi-raw-json:${NONCE}:${counter}`;
  texts.set(token, json);
  return token;
}

/** Hands the texts of a request's tokens to its result's data (what the answer's JSON is made of). */
export function moveRawJson(context: object, data: unknown): void {
  const texts = byContext.get(context);
  if (!texts) return;
  byContext.delete(context);
  if (data && typeof data === 'object') byData.set(data, texts);
}

/** `json` (the JSON of an answer whose data is `data`) with each of its tokens replaced by its text. */
export function withRawJson(data: unknown, json: string): string {
  const texts = data && typeof data === 'object' ? byData.get(data) : undefined;
  if (!texts) return json;
  let out = json;
  for (const [token, text] of texts) {
    // JSON.stringify leaves the token's characters as they are: it appears quoted, once.
    const at = out.indexOf(`"${token}"`);
    if (at >= 0) out = out.slice(0, at) + text + out.slice(at + token.length + 2);
  }
  return out;
}
