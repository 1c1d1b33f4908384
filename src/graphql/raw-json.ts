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
const TOKEN_PREFIX = `stedi-raw-json:${NONCE}:`;
/** Private: how a token starts in the answer's JSON, which quotes it (its characters need no escaping). */
const QUOTED_PREFIX = `"${TOKEN_PREFIX}`;
let counter = 0;

const byContext = new WeakMap<object, Map<string, RawJson>>();
const byData = new WeakMap<object, Map<string, RawJson>>();

/** A token standing for `json` in the answer of the request whose context is `context`. */
export function rawJsonToken(context: object, json: RawJson): string {
  let texts = byContext.get(context);
  if (!texts) byContext.set(context, (texts = new Map()));
  counter = (counter + 1) % Number.MAX_SAFE_INTEGER;
  const token = `${TOKEN_PREFIX}${counter}`;
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
  const out: string[] = [];
  spliceTexts(json, texts, (part) => out.push(part), (text) => out.push(typeof text === 'string' ? text : text.toString('utf8')));
  return out.join('');
}

/**
 * The UTF-8 bytes of what withRawJson writes for the JSON made of `parts`
 * (text, or bytes: a prepared batch page's lists, column-text.ts), when any
 * of it is bytes, a text of the answer given as bytes or a part (else
 * undefined: the answer is written as a string): the answer's own JSON
 * around them encoded once, piece by piece, and the bytes copied in, into
 * one buffer from the byte pool.
 */
export function withRawJsonBytes(data: unknown, parts: readonly (string | Uint8Array)[]): Buffer | undefined {
  const texts = data && typeof data === 'object' ? byData.get(data) : undefined;
  const rawBytes = texts !== undefined && [...texts.values()].some((text) => typeof text !== 'string');
  if (!rawBytes && parts.every((part) => typeof part === 'string')) return undefined;
  const pieces: Uint8Array[] = [];
  for (const part of parts) {
    if (typeof part !== 'string') pieces.push(part);
    else if (texts) pushWithTexts(pieces, part, texts);
    else pieces.push(Buffer.from(part, 'utf8'));
  }
  let size = 0;
  for (const piece of pieces) size += piece.byteLength;
  const out = takeBytes(size);
  let at = 0;
  for (const piece of pieces) {
    out.set(piece, at);
    at += piece.byteLength;
  }
  return out;
}

/** The bytes of `json` with each token of `texts` it holds replaced by its text. */
function pushWithTexts(pieces: Uint8Array[], json: string, texts: Map<string, RawJson>): void {
  spliceTexts(json, texts, (part) => pieces.push(Buffer.from(part, 'utf8')), (text) => pieces.push(typeof text === 'string' ? Buffer.from(text, 'utf8') : text));
}

/**
 * Walks `json` once, handing on the text between tokens (`onPart`) and each
 * token's text in its place (`onText`). One pass: a page of a hundred nested
 * connections has a hundred tokens, and a search from the start for each
 * (with a copy of the answer per replacement) cost milliseconds a request.
 */
function spliceTexts(json: string, texts: Map<string, RawJson>, onPart: (part: string) => void, onText: (text: RawJson) => void): void {
  let from = 0;
  let at = json.indexOf(QUOTED_PREFIX);
  while (at >= 0) {
    const end = json.indexOf('"', at + QUOTED_PREFIX.length) + 1;
    const text = end > 0 ? texts.get(json.slice(at + 1, end - 1)) : undefined;
    if (text !== undefined) {
      onPart(json.slice(from, at));
      onText(text);
      from = end;
    }
    at = json.indexOf(QUOTED_PREFIX, text !== undefined ? end : at + 1);
  }
  onPart(json.slice(from));
}

/** Once the answer whose data is `data` is written (as bytes), the memory of its texts' bytes can hold another page's. */
export function releaseRawJson(data: unknown): void {
  const texts = data && typeof data === 'object' ? byData.get(data) : undefined;
  if (!texts || !data) return;
  byData.delete(data);
  for (const text of texts.values()) if (typeof text !== 'string') giveBack(text);
}
