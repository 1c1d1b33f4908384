import { randomBytes } from 'node:crypto';
import { giveBack, takeBytes } from '../byte-pool';

/**
 * JSON text made by a resolver (rendered-edges.ts) and written into the
 * answer as it is: the resolver returns a token string in its place, and the
 * answer's JSON has each token's quoted text replaced by its JSON. Tokens
 * belong to one request's context, then to its result's data object (the
 * executor moves them, jit-executor.ts), so a token is only ever replaced in
 * the answer that made it, and texts go with the request. A token holds a
 * random per-process nonce, so no value of the data can be taken for one.
 * A text may be given as its UTF-8 bytes (a bulk page's edges): an answer
 * holding such a text is written as bytes (withRawJsonBytes) and sent as
 * they are, not made a string and encoded back.
 */

/** JSON text, or its UTF-8 bytes. */
export type RawJson = string | Buffer;

const NONCE = randomBytes(16).toString('hex');
let counter = 0;

const byContext = new WeakMap<object, Map<string, RawJson>>();
const byData = new WeakMap<object, Map<string, RawJson>>();

/** A token standing for `json` in the answer of the request whose context is `context`. */
export function rawJsonToken(context: object, json: RawJson): string {
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
    if (at >= 0) out = out.slice(0, at) + (typeof text === 'string' ? text : text.toString('utf8')) + out.slice(at + token.length + 2);
  }
  return out;
}

/**
 * The UTF-8 bytes of what withRawJson writes, when a text of the answer was
 * given as bytes (else undefined: the answer is written as a string): the
 * answer's own JSON around them encoded once, piece by piece, and the bytes
 * copied in.
 */
export function withRawJsonBytes(data: unknown, json: string): Buffer | undefined {
  const texts = data && typeof data === 'object' ? byData.get(data) : undefined;
  if (!texts || ![...texts.values()].some((text) => typeof text !== 'string')) return undefined;
  const found: Array<{ at: number; end: number; text: RawJson }> = [];
  for (const [token, text] of texts) {
    const at = json.indexOf(`"${token}"`);
    if (at >= 0) found.push({ at, end: at + token.length + 2, text });
  }
  found.sort((a, b) => a.at - b.at);
  const parts: Buffer[] = [];
  let from = 0;
  for (const { at, end, text } of found) {
    parts.push(Buffer.from(json.slice(from, at), 'utf8'), typeof text === 'string' ? Buffer.from(text, 'utf8') : text);
    from = end;
  }
  parts.push(Buffer.from(json.slice(from), 'utf8'));
  let size = 0;
  for (const part of parts) size += part.length;
  const out = takeBytes(size);
  let at = 0;
  for (const part of parts) at += part.copy(out, at);
  return out;
}

/** Once the answer whose data is `data` is written (as bytes), the memory of its texts' bytes can hold another page's. */
export function releaseRawJson(data: unknown): void {
  const texts = data && typeof data === 'object' ? byData.get(data) : undefined;
  if (!texts || !data) return;
  byData.delete(data);
  for (const text of texts.values()) if (typeof text !== 'string') giveBack(text);
}
